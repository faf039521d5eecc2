/**
 * Cross-origin access for our own clients only: the desktop app's pages come from
 * `app://switchboard` (and, in development, from the dev server origins listed in
 * SWITCHBOARD_ALLOWED_ORIGINS). Browser pages the server serves itself are same-origin. Tokens
 * travel in headers, never cookies, so no credentials mode is offered.
 */
import type { FastifyInstance } from 'fastify';

export const DESKTOP_APP_ORIGIN = 'app://switchboard';

const ALLOWED_HEADERS = 'authorization, authentication, content-type';
const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';

export function registerCors(app: FastifyInstance, extraOrigins: readonly string[]): void {
  const allowed = new Set([DESKTOP_APP_ORIGIN, ...extraOrigins]);
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) return;
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Vary', 'Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      reply.header('Access-Control-Allow-Methods', ALLOWED_METHODS);
      reply.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      reply.header('Access-Control-Max-Age', '600');
      return reply.code(204).send();
    }
  });
}
