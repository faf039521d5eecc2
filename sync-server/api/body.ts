/**
 * Request bodies of the REST API besides JSON (product §11.1): `application/x-www-form-urlencoded`
 * and `multipart/form-data` with simple text fields. Files are not uploaded through the API in
 * this release (`send-file-message` takes a URL), so a file part is refused with a clear 400.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors';

export const MAX_FORM_FIELDS = 200;
const MAX_FIELD_NAME = 200;
const FILES_REFUSED = 'File uploads are not supported; send text fields only';

/** Form fields in order of appearance; a repeated field is refused. */
function collect(pairs: Iterable<[string, string]>): Record<string, string> {
  const seen = new Set<string>();
  const entries: Array<[string, string]> = [];
  const repeated: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (name.length === 0 || name.length > MAX_FIELD_NAME) throw new HttpError(400, 'Malformed form body');
    if (seen.has(name)) {
      repeated[name] = 'Give this parameter once';
      continue;
    }
    seen.add(name);
    entries.push([name, value]);
    if (entries.length > MAX_FORM_FIELDS) throw new HttpError(400, `A form may hold at most ${MAX_FORM_FIELDS} fields`);
  }
  if (Object.keys(repeated).length > 0) throw new HttpError(400, repeated);
  return Object.fromEntries(entries);
}

export function parseUrlEncoded(body: string): Record<string, string> {
  return collect(new URLSearchParams(body));
}

/** The `boundary` parameter of a multipart content type (RFC 2046 §5.1.1: 1–70 characters). */
export function multipartBoundary(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^";\s]{1,70}))\s*(?:;|$)/i.exec(contentType);
  const boundary = m ? (m[1] ?? m[2]) : undefined;
  if (!boundary) throw new HttpError(400, 'Multipart body without a boundary');
  return boundary;
}

/** Parameters of a header value such as `form-data; name="a"; filename="b.txt"`. */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    const key = m[1].toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
    params.set(key, raw);
  }
  return params;
}

/**
 * Splits a multipart/form-data body (RFC 7578) into its text fields. Refuses file parts (a
 * `filename`, or a content type other than text/plain) and anything malformed.
 */
export function parseMultipart(body: Buffer, contentType: string): Record<string, string> {
  const boundary = multipartBoundary(contentType);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const next = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const malformed = () => new HttpError(400, 'Malformed multipart body');

  let pos = body.indexOf(delimiter);
  if (pos !== 0 && (pos < 0 || body.indexOf(next) !== pos - 2)) throw malformed();
  pos += delimiter.length;
  const fields: Array<[string, string]> = [];
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing delimiter `--boundary--`
    // Transport padding may follow a delimiter (RFC 2046), then CRLF.
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw malformed();
    pos += 2;
    const end = body.indexOf(next, pos);
    if (end < 0) throw malformed();
    const part = body.subarray(pos, end);
    pos = end + next.length;

    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw malformed();
    const headerText = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    let disposition: string | undefined;
    let partType: string | undefined;
    for (const line of headerText.split('\r\n')) {
      if (line.length === 0) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed();
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = value;
      else if (name === 'content-type') partType = value;
    }
    if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw malformed();
    const params = headerParams(disposition);
    const fieldName = params.get('name');
    if (fieldName === undefined) throw malformed();
    if (params.has('filename') || params.has('filename*') || (partType !== undefined && !/^text\/plain\s*(;|$)/i.test(partType))) {
      throw new HttpError(400, { [fieldName || 'file']: FILES_REFUSED });
    }
    if (fieldName === '_charset_') continue;
    fields.push([fieldName, content.toString('utf8')]);
    if (fields.length > MAX_FORM_FIELDS) throw new HttpError(400, `A form may hold at most ${MAX_FORM_FIELDS} fields`);
  }
  return collect(fields);
}

/** Adds the form and multipart parsers to the API's scope only; JSON uses Fastify's own parser. */
export function registerBodyParsers(app: FastifyInstance): void {
  // Plain text has no parameters to read; without a parser it is answered 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseUrlEncoded(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, String(req.headers['content-type'] ?? '')));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
