/**
 * The built web client at `/` (browser mode, ARCHITECTURE.md "Desktop shell"), from
 * `config.webRoot` when that folder has an index.html, plus the avatar placeholder the REST API
 * links to.
 *
 * The client is served from an `onRequest` hook that only acts on requests no route matched
 * (`req.is404`), never from a catch-all route: every server route keeps precedence, and the
 * server's own prefixes (`/api`, `/auth`, …) keep their own 404 and 405 answers. The plugin is
 * registered without encapsulation so that the hook reaches the root not-found handler.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ServerContext } from '../context';
import { sendError } from '../http/errors';
import { AVATAR_PLACEHOLDER_PATH } from '../api/endpoint';
import { avatarPlaceholderPng } from './avatar';
import { buildWebCsp, needsInlineStyles, websocketOrigins } from './csp';
import { contentTypeFor } from '../../src-core/content-types';
import { INDEX_FILE, cacheControlFor, resolveWebPath } from './paths';

/** Headers on every response of the web client (files, fallback and its refusals). */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

interface ServedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** The regular file at `relative` whose real location is inside `realRoot` (no symlink escapes), or null. */
async function servable(realRoot: string, relative: string): Promise<ServedFile | null> {
  try {
    const real = await fsp.realpath(path.join(realRoot, ...relative.split('/')));
    const inside = path.relative(realRoot, real);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
    // A symlink inside the root may still point at a dotfile: the real name obeys the same rule.
    if (inside.split(path.sep).some((s) => s.startsWith('.'))) return null;
    const st = await fsp.stat(real);
    return st.isFile() ? { path: real, size: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    return null;
  }
}

export function webPlugin(ctx: ServerContext) {
  const plugin = async (app: FastifyInstance) => {
    // Always: the REST API links to it whether or not a web client is served.
    app.get(AVATAR_PLACEHOLDER_PATH, async (_req, reply) => {
      reply.header('content-type', 'image/png');
      reply.header('cache-control', 'public, max-age=86400');
      reply.header('x-content-type-options', 'nosniff');
      return reply.send(avatarPlaceholderPng());
    });

    const configured = ctx.config.webRoot ? path.resolve(ctx.config.webRoot) : null;
    if (!configured) {
      ctx.log.info('no web client folder configured; / is not served');
      return;
    }
    if (!fs.existsSync(path.join(configured, INDEX_FILE))) {
      ctx.log.warn({ webRoot: configured }, 'web client folder has no index.html yet; it is served once built');
    } else ctx.log.info({ webRoot: configured }, 'serving the web client');
    const webRoot: string = configured;

    // The build can change under a running server (`npm run build`): the inline-style scan is
    // redone when index.html changes.
    let inlineStylesKey = '';
    let inlineStyles = false;
    const inlineStylesFor = (realRoot: string, index: ServedFile): boolean => {
      const key = `${realRoot}:${index.size}:${index.mtimeMs}`;
      if (key !== inlineStylesKey) {
        inlineStyles = needsInlineStyles(realRoot);
        inlineStylesKey = key;
      }
      return inlineStyles;
    };

    const cspFor = (req: FastifyRequest, realRoot: string, index: ServedFile): string =>
      buildWebCsp({
        websocketOrigins: websocketOrigins(req.headers.host, req.protocol === 'https', ctx.config.publicUrl),
        inlineStyles: inlineStylesFor(realRoot, index),
      });

    function sendFile(req: FastifyRequest, reply: FastifyReply, file: ServedFile, relative: string, csp: string): FastifyReply {
      const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
      reply.headers({
        ...securityHeaders(csp),
        'content-type': contentTypeFor(file.path),
        'cache-control': cacheControlFor(relative),
        etag,
        'last-modified': new Date(file.mtimeMs).toUTCString(),
      });
      const match = req.headers['if-none-match'];
      if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();
      reply.header('content-length', String(file.size));
      if (req.method === 'HEAD') return reply.code(200).send();
      return reply.code(200).send(fs.createReadStream(file.path));
    }

    /** Answers a request for the client; false when it is not ours (the server's 404 then answers). */
    async function serve(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
      const resolution = resolveWebPath(req.raw.url ?? '/');
      if (resolution.kind === 'server') return false;
      let realRoot: string;
      try {
        realRoot = await fsp.realpath(webRoot);
      } catch {
        return false;
      }
      const index = await servable(realRoot, INDEX_FILE);
      if (!index) return false; // not built: the server's JSON 404
      const csp = cspFor(req, realRoot, index);

      if (resolution.kind === 'refused') {
        reply.headers(securityHeaders(csp));
        sendError(reply, 404, 'Not found');
        return true;
      }
      const file = await servable(realRoot, resolution.relative);
      if (file) sendFile(req, reply, file, resolution.relative, csp);
      else if (resolution.fallback) sendFile(req, reply, index, INDEX_FILE, csp);
      else {
        reply.headers(securityHeaders(csp));
        sendError(reply, 404, 'Not found');
      }
      return true;
    }

    // A callback hook, not an async one: a streamed answer has not ended when an async hook
    // resolves, and Fastify would go on to the not-found handler. Not calling `done` stops there.
    app.addHook('onRequest', (req, reply, done) => {
      if (!req.is404 || (req.method !== 'GET' && req.method !== 'HEAD')) return done();
      serve(req, reply).then(
        (handled) => {
          if (!handled) done();
        },
        (err: Error) => done(err),
      );
    });
  };
  // Registered in the root context (what fastify-plugin does): the hook must see unmatched requests.
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
