/**
 * The few HTTP calls the UI makes itself (accounts and the super-admin's settings). Every answer is
 * the server's envelope: `{status: 200, data}` or `{error: string | {field: message}, status}`.
 */

/** A refusal from the server: a message, or one message per form field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly fields: Record<string, string> | null,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached at all (offline, wrong address, server down). */
export class NetworkError extends Error {
  constructor(message = 'network') {
    super(message);
    this.name = 'NetworkError';
  }
}

const TIMEOUT_MS = 15_000;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  accessToken?: string | null;
  query?: Record<string, string>;
  signal?: AbortSignal;
}

export function normaliseServerUrl(input: string): string | null {
  const trimmed = input.trim().replace(/\/+$/, '');
  if (!trimmed) return null;
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin + url.pathname.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

export async function apiRequest<T>(serverUrl: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = new URL(serverUrl + path);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const onAbort = () => timeout.abort();
  options.signal?.addEventListener('abort', onAbort);
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: timeout.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError();
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  const envelope = payload as { status?: number; data?: unknown; error?: unknown } | null;
  if (!response.ok || envelope === null || envelope.error !== undefined) {
    const error = envelope?.error;
    if (error !== null && typeof error === 'object') {
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(error as Record<string, unknown>)) if (typeof v === 'string') fields[k] = v;
      throw new ApiError(response.status, fields, Object.values(fields)[0] ?? response.statusText);
    }
    throw new ApiError(response.status, null, typeof error === 'string' ? error : response.statusText || `HTTP ${response.status}`);
  }
  return envelope.data as T;
}
