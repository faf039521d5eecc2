/**
 * One error envelope for every HTTP surface: `{"error": <string | field map>, "status": N}` with
 * the HTTP status equal to `status` (product §11.1).
 */
import type { FastifyReply } from 'fastify';
import type { ZodError } from 'zod';

export class HttpError extends Error {
  constructor(readonly status: number, readonly error: string | Record<string, string>, readonly headers: Record<string, string> = {}) {
    super(typeof error === 'string' ? error : JSON.stringify(error));
  }
}

export function sendError(reply: FastifyReply, status: number, error: string | Record<string, string>, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).send({ error, status });
}

export function sendData(reply: FastifyReply, data: unknown): FastifyReply {
  return reply.code(200).send({ status: 200, data });
}

/** Turns a zod error into the field map of the envelope (first message per field). */
export function fieldErrors(err: ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = issue.path.length > 0 ? issue.path.join('.') : '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
