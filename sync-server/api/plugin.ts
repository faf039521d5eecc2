/**
 * The REST API (product §11) as one Fastify plugin under `/api`: token check and rate limit before
 * the body is read, form and multipart bodies besides JSON, the success and error envelopes, and
 * 404 "Not found" / 405 "Method not allowed" for unknown paths and methods.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context';
import { sendData, sendError } from '../http/errors';
import { ApiAuth, type ApiCaller } from './auth';
import { registerBodyParsers } from './body';
import { conversationEndpoints } from './conversations';
import type { ApiDeps, DefineEndpoint } from './endpoint';
import type { OperatorPresence } from './objects';
import { operatorEndpoints } from './operators';

export const API_PREFIX = '/api';

export interface ApiOptions {
  /**
   * Presence of a user (product §6.2.4). The sync gateway knows live connections; without it
   * every operator is reported `offline`.
   */
  presenceOf?: (companyId: number, userId: number) => OperatorPresence;
}

export function apiRoutes(ctx: ServerContext, opts: ApiOptions = {}) {
  return async (app: FastifyInstance) => {
    await app.register(async (api) => {
      const deps: ApiDeps = { ctx, auth: new ApiAuth(ctx), presenceOf: opts.presenceOf ?? (() => 'offline') };
      const callers = new WeakMap<FastifyRequest, ApiCaller>();
      const methodsByPath = new Map<string, string[]>();

      registerBodyParsers(api);

      // Before the body is parsed: an unauthenticated or throttled call costs no parsing.
      api.addHook('onRequest', async (req, reply) => {
        reply.header('cache-control', 'no-store');
        if (req.is404) return;
        callers.set(req, await deps.auth.authenticate(req));
      });

      const define: DefineEndpoint = (method, path, handler) => {
        const methods = methodsByPath.get(API_PREFIX + path) ?? [];
        methods.push(method);
        if (method === 'GET') methods.push('HEAD');
        methodsByPath.set(API_PREFIX + path, methods);
        api.route({
          method,
          url: path,
          handler: async (req, reply) => {
            const caller = callers.get(req);
            if (!caller) throw new Error('API call without a checked token');
            return sendData(reply, await handler({ req, caller }));
          },
        });
      };

      conversationEndpoints(define, deps);
      operatorEndpoints(define, deps);

      api.setNotFoundHandler((req, reply) => {
        const path = req.url.split('?')[0];
        const allowed = methodsByPath.get(path);
        if (allowed) return sendError(reply, 405, 'Method not allowed', { Allow: allowed.join(', ') });
        return sendError(reply, 404, 'Not found');
      });
    }, { prefix: API_PREFIX });
  };
}
