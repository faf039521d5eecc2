/** Form and multipart bodies of the REST API (product §11.1), parsed without a server. */
import { describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors';
import { MAX_FORM_FIELDS, multipartBoundary, parseMultipart, parseUrlEncoded } from './body';

function multipart(boundary: string, parts: Array<{ headers: string[]; body: string }>, opts: { preamble?: string; epilogue?: string } = {}): Buffer {
  let text = opts.preamble !== undefined ? `${opts.preamble}\r\n` : '';
  for (const p of parts) text += `--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n${p.body}\r\n`;
  text += `--${boundary}--${opts.epilogue ?? '\r\n'}`;
  return Buffer.from(text, 'utf8');
}

const field = (name: string, body: string) => ({ headers: [`Content-Disposition: form-data; name="${name}"`], body });

function errorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('expected an HttpError');
}

describe('multipart/form-data', () => {
  it('reads text fields, UTF-8 values, empty values and CRLF inside values', () => {
    const body = multipart('b0und', [field('conversation_id', '314'), field('text', 'Привет\r\nмир'), field('operator_id', '')]);
    expect(parseMultipart(body, 'multipart/form-data; boundary=b0und')).toEqual({ conversation_id: '314', text: 'Привет\r\nмир', operator_id: '' });
  });

  it('accepts a quoted boundary, a preamble, an epilogue, text/plain parts and skips _charset_', () => {
    const body = multipart('a b:c', [
      field('_charset_', 'UTF-8'),
      { headers: ['content-disposition: form-data; name="text"', 'Content-Type: text/plain; charset=UTF-8'], body: 'hi' },
    ], { preamble: 'ignored preamble', epilogue: '\r\nignored epilogue' });
    expect(parseMultipart(body, 'multipart/form-data; boundary="a b:c"; charset=utf-8')).toEqual({ text: 'hi' });
  });

  it('refuses a file part, by filename or by content type, naming the field', () => {
    const byName = multipart('x', [field('a', '1'), { headers: ['Content-Disposition: form-data; name="upload"; filename="a.txt"'], body: 'data' }]);
    expect(errorOf(() => parseMultipart(byName, 'multipart/form-data; boundary=x'))).toMatchObject({
      status: 400, error: { upload: 'File uploads are not supported; send text fields only' },
    });
    const byType = multipart('x', [{ headers: ['Content-Disposition: form-data; name="doc"', 'Content-Type: application/pdf'], body: '%PDF' }]);
    expect(errorOf(() => parseMultipart(byType, 'multipart/form-data; boundary=x')).error).toEqual({ doc: 'File uploads are not supported; send text fields only' });
  });

  it('refuses bodies without a boundary, without the closing delimiter, or with parts lacking a name', () => {
    expect(errorOf(() => multipartBoundary('multipart/form-data')).error).toBe('Multipart body without a boundary');
    expect(errorOf(() => parseMultipart(Buffer.from('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1'), 'multipart/form-data; boundary=x')).error)
      .toBe('Malformed multipart body');
    expect(errorOf(() => parseMultipart(multipart('x', [{ headers: ['Content-Disposition: form-data'], body: '1' }]), 'multipart/form-data; boundary=x')).error)
      .toBe('Malformed multipart body');
    expect(errorOf(() => parseMultipart(Buffer.from('no delimiter at all'), 'multipart/form-data; boundary=x')).error).toBe('Malformed multipart body');
    expect(errorOf(() => parseMultipart(multipart('x', [{ headers: ['X-Other: 1'], body: '1' }]), 'multipart/form-data; boundary=x')).error)
      .toBe('Malformed multipart body');
  });

  it('refuses a repeated field and too many fields', () => {
    const repeated = multipart('x', [field('a', '1'), field('a', '2')]);
    expect(errorOf(() => parseMultipart(repeated, 'multipart/form-data; boundary=x')).error).toEqual({ a: 'Give this parameter once' });
    const many = multipart('x', Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => field(`f${i}`, 'v')));
    expect(errorOf(() => parseMultipart(many, 'multipart/form-data; boundary=x')).status).toBe(400);
  });

  it('keeps a __proto__ field as a plain parameter', () => {
    const parsed = parseMultipart(multipart('x', [field('__proto__', 'polluted')]), 'multipart/form-data; boundary=x');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('application/x-www-form-urlencoded', () => {
  it('decodes + and percent escapes, and refuses a repeated field', () => {
    expect(parseUrlEncoded('conversation_id=314&text=Hello+there%21%20%D0%96')).toEqual({ conversation_id: '314', text: 'Hello there! Ж' });
    expect(parseUrlEncoded('')).toEqual({});
    expect(errorOf(() => parseUrlEncoded('a=1&a=2')).error).toEqual({ a: 'Give this parameter once' });
  });
});
