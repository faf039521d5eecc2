/**
 * Parameters of REST calls (product §11.1): integers may arrive as strings, flags as 0/1 or
 * true/false, an empty value counts as absent. Bad parameters become the 400 field map of §11.2.
 */
import { z } from 'zod';
import { APPLICATIONS } from '../../src-core/conversation/types';
import { HttpError } from '../http/errors';

/** List endpoints return at most this many items (product §11.1). */
export const MAX_LIST_LIMIT = 1000;
/** Upper bound on a text parameter, whatever the channel (the per-channel limit is the relay's). */
export const MAX_TEXT_LENGTH = 100_000;
export const MAX_TOPIC_IDS = 100;

const DIGITS = /^\s*[0-9]{1,16}\s*$/;

function toInteger(value: unknown): unknown {
  return typeof value === 'string' && DIGITS.test(value) ? Number(value) : value;
}

function integerIn(label: string, min: number, max: number, rangeMessage: string) {
  return z.preprocess(
    toInteger,
    z.number({ error: (issue) => (issue.input === undefined ? `${label} is required` : rangeMessage) })
      .int(rangeMessage).min(min, rangeMessage).max(max, rangeMessage),
  );
}

/** A positive integer id (`conversation_id`, `operator_id`, …). */
export function id(label: string) {
  return integerIn(label, 1, Number.MAX_SAFE_INTEGER, `${label} must be a positive integer`);
}

/** `0`/`1`, also `true`/`false`, as numbers, booleans or strings. */
export function flagParam(label: string) {
  const message = `${label} must be 0 or 1`;
  return z.preprocess(
    (value) => {
      if (value === true || value === 1 || value === '1' || value === 'true') return true;
      if (value === false || value === 0 || value === '0' || value === 'false') return false;
      return value;
    },
    z.boolean({ error: message }),
  );
}

export const limitParam = integerIn('Limit', 1, MAX_LIST_LIMIT, `Limit must be an integer from 1 to ${MAX_LIST_LIMIT}`).default(MAX_LIST_LIMIT);
export const offsetParam = integerIn('Offset', 0, Number.MAX_SAFE_INTEGER, 'Offset must be a non-negative integer').default(0);

export const applicationParam = z.enum(APPLICATIONS, { error: 'Application is not known' });

/** Comma-separated ids (`"3,5"`), also a single number or a JSON array of ids. */
export function idList(label: string, max: number) {
  const message = `${label} must be comma-separated positive integers`;
  return z.preprocess(
    (value) => {
      if (typeof value === 'number') return [value];
      if (typeof value === 'string') return value.split(',').map((part) => toInteger(part));
      if (Array.isArray(value)) return value.map(toInteger);
      return value;
    },
    z.array(z.number({ error: message }).int(message).min(1, message).max(Number.MAX_SAFE_INTEGER, message), { error: message })
      .max(max, `${label} may list at most ${max} ids`)
      .transform((ids) => [...new Set(ids)]),
  );
}

/** Message text: required, not only whitespace. Its length is checked by the endpoint (§11.2). */
export function textParam(label: string) {
  return z.string({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a string`) })
    .refine((text) => text.trim().length > 0, `${label} is required`);
}

/**
 * The parameters of a request as a plain object: the query string of a GET, the body of a POST
 * (JSON, form or multipart). Empty values and nulls count as absent; a parameter repeated in a
 * query string is refused.
 */
export function paramsOf(raw: unknown, source: 'query' | 'body'): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw) || Buffer.isBuffer(raw)) {
    throw new HttpError(400, 'Parameters must be an object');
  }
  const entries: Array<[string, unknown]> = [];
  const repeated: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === '' || value === undefined) continue;
    if (source === 'query' && Array.isArray(value)) {
      repeated[key] = 'Give this parameter once';
      continue;
    }
    entries.push([key, value]);
  }
  if (Object.keys(repeated).length > 0) throw new HttpError(400, repeated);
  // fromEntries defines own properties, so a `__proto__` key stays a plain (ignored) parameter.
  return Object.fromEntries(entries);
}

export function readParams<T>(schema: z.ZodType<T>, raw: unknown, source: 'query' | 'body'): T {
  const result = schema.safeParse(paramsOf(raw, source));
  if (!result.success) throw new HttpError(400, fieldMap(result.error));
  return result.data;
}

/** The first problem of each parameter, keyed by the parameter's name (not by list positions). */
function fieldMap(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : '_';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
