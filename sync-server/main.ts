/**
 * `npm run server -- --port <n> --data <dir>`: starts the sync server alone. Prints its URL, logs
 * JSON lines, answers /health once ready, and on SIGINT/SIGTERM stops after flushing storage.
 */
import { parseArgs } from './config';
import { startServer, type RunningServer } from './app';

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2));
  let server: RunningServer | null = null;
  let stopSignal: string | null = null;
  const stop = (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    // A signal during start-up stops the server as soon as it is up.
    if (server) shutdown(server, signal);
  };
  // Installed before anything else, so a signal never kills the process mid-write.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  server = await startServer(config);
  process.stdout.write(`Switchboard sync server listening on ${server.url} (data: ${config.dataDir})\n`);
  if (stopSignal) shutdown(server, stopSignal);
}

function shutdown(server: RunningServer, signal: string): void {
  server.ctx.log.info({ signal }, 'shutting down');
  server.close().then(
    () => process.exit(0),
    (err) => {
      server.ctx.log.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}

main().catch((err) => {
  process.stderr.write(`${JSON.stringify({ level: 60, msg: 'server failed to start', err: String(err?.stack ?? err) })}\n`);
  process.exit(1);
});
