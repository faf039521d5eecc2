/** Server configuration from flags and environment (flags win). */
import path from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Public base URL, used in inbound addresses shown to admins; defaults to the listening address. */
  publicUrl: string | null;
  /** Folder of the built web client served at `/` (null: not served). */
  webRoot: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Outbound retry backoff base (channels.md §17.3: 1 s). Tests shorten it. */
  outboundBackoffBaseMs: number;
  outboundBackoffCapMs: number;
  /** Access token lifetime. */
  accessTokenTtlMs: number;
  /** Hot documents kept in memory. */
  docCapacity: number;
  /** Origins besides the desktop app's allowed to call the HTTP API cross-origin (development). */
  allowedOrigins: string[];
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(a.slice(2), argv[++i]);
    else flags.set(a.slice(2), 'true');
  }
  const port = Number(flags.get('port') ?? env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${flags.get('port') ?? env.PORT}`);
  const webRoot = flags.get('web-root') ?? env.SWITCHBOARD_WEB_ROOT ?? path.resolve('out/renderer');
  return {
    host: flags.get('host') ?? env.HOST ?? '127.0.0.1',
    port,
    dataDir: path.resolve(flags.get('data') ?? env.SWITCHBOARD_DATA ?? './.switchboard'),
    publicUrl: flags.get('public-url') ?? env.SWITCHBOARD_PUBLIC_URL ?? null,
    webRoot,
    logLevel: (flags.get('log-level') ?? env.LOG_LEVEL ?? 'info') as ServerConfig['logLevel'],
    outboundBackoffBaseMs: Number(env.SWITCHBOARD_OUTBOUND_BACKOFF_MS ?? 1000),
    outboundBackoffCapMs: Number(env.SWITCHBOARD_OUTBOUND_BACKOFF_CAP_MS ?? 5 * 60_000),
    accessTokenTtlMs: Number(env.SWITCHBOARD_ACCESS_TTL_MS ?? 15 * 60_000),
    docCapacity: Number(env.SWITCHBOARD_DOC_CAPACITY ?? 5000),
    allowedOrigins: (flags.get('allowed-origins') ?? env.SWITCHBOARD_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  };
}

export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...parseArgs([], {}), webRoot: null, logLevel: 'silent', port: 0, ...overrides };
}
