/**
 * Composes the sync server: storage, documents, the company directory, the conversation service,
 * and one plugin per concern (auth, admin, sync gateway, channels, REST API, web client).
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { AccountService } from './accounts/service';
import { Sessions } from './auth/session';
import { CompanyDirectory } from './company/directory';
import type { ServerConfig } from './config';
import type { ServerContext } from './context';
import { ConversationService, accessOf } from './conversations/service';
import { DocManager } from './docs/doc-manager';
import { registerCors } from './http/cors';
import { HttpError, sendError } from './http/errors';
import { SecretBox } from './security/crypto';
import { AccessTokens } from './security/tokens';
import { SqliteStorage } from './storage/sqlite';
import { ConversationDoc, parseDocName } from '../src-core/conversation/doc';
import { Rejection } from './conversations/service';
import { registerPlugins } from './plugins';

export interface RunningServer {
  app: FastifyInstance;
  ctx: ServerContext;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  });
  const storage = new SqliteStorage({ dir: config.dataDir, onError: (err) => app.log.error({ err: err.message }, 'storage') });
  const docs = new DocManager(storage, {
    capacity: config.docCapacity,
    describe: (loaded) => {
      const parsed = parseDocName(loaded.name);
      if (parsed?.kind !== 'conv') return null;
      const conv = new ConversationDoc(loaded.doc);
      return conv.initialized ? accessOf(conv) : null;
    },
  });
  const directory = new CompanyDirectory(storage, docs);
  const conversations = new ConversationService(storage, docs, directory);
  const secrets = SecretBox.fromDataDir(config.dataDir);
  const tokens = new AccessTokens(secrets.derive('access-tokens'), config.accessTokenTtlMs);
  const sessions = new Sessions(tokens, directory);
  const accounts = new AccountService(storage, directory, conversations, tokens, secrets);
  const closers: Array<() => Promise<void> | void> = [];
  let publicUrl = config.publicUrl ?? '';
  const ctx: ServerContext = {
    config, log: app.log, storage, docs, directory, conversations, secrets, tokens, sessions, accounts,
    publicUrl: () => publicUrl,
    onClose: (fn) => closers.push(fn),
  };

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err.status, err.error, err.headers);
    if (err instanceof Rejection) {
      const status = err.code === 'forbidden' ? 403 : 400;
      return sendError(reply, status, err.message);
    }
    const e = err as { code?: string; statusCode?: number; message: string };
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'Payload too large');
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, 'Unsupported content type');
    if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && e.statusCode === 400)) {
      return sendError(reply, 400, 'Body is not valid JSON');
    }
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return sendError(reply, e.statusCode, e.message);
    req.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'Internal error');
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 404, 'Not found'));

  registerCors(app, config.allowedOrigins);
  app.get('/health', async () => ({ status: 'ok' }));

  await registerPlugins(app, ctx);

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  if (!publicUrl) publicUrl = url;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch (err) {
          app.log.error({ err }, 'shutdown hook failed');
        }
      }
      await app.close();
      docs.close();
      await storage.close();
    })();
    return closing;
  };
  return { app, ctx, url, port, close };
}
