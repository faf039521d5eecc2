/**
 * The Content-Security-Policy of the web client in a browser: scripts, workers and the network
 * only from the server's own origin (HTTP and WebSocket), no plugins, no framing, no forms, no
 * `<base>`. `'unsafe-inline'` styles only when the built client writes inline styles.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ASSETS_FOLDER, INDEX_FILE } from './paths';

export interface CspOptions {
  /** ws:// or wss:// origins the client may open sockets to (the server's own, as the browser sees it). */
  websocketOrigins: string[];
  /** The built client injects `<style>` elements or style attributes (see `needsInlineStyles`). */
  inlineStyles: boolean;
}

export function buildWebCsp(opts: CspOptions): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', opts.inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['connect-src', ["'self'", ...opts.websocketOrigins]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['media-src', ["'self'", 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['worker-src', ["'self'"]],
    ['manifest-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${[...new Set(sources)].join(' ')}`).join('; ');
}

const HOST_PATTERN = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The WebSocket origins of this server as the browser reached it: the request's Host (validated:
 * it is copied into a header) and the configured public URL, if any.
 */
export function websocketOrigins(hostHeader: string | undefined, secure: boolean, publicUrl: string | null): string[] {
  const out: string[] = [];
  const host = (hostHeader ?? '').trim().toLowerCase();
  if (host && host.length <= 300 && HOST_PATTERN.test(host)) out.push(`${secure ? 'wss' : 'ws'}://${host}`);
  if (publicUrl) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol === 'https:' || u.protocol === 'http:') out.push(`${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`);
    } catch {
      /* not a URL: nothing to add */
    }
  }
  return [...new Set(out)];
}

/** Markup and script patterns that create inline styles a CSP without `'unsafe-inline'` blocks. */
const HTML_INLINE_STYLE = /<style[\s>]|\sstyle\s*=/i;
const JS_INLINE_STYLE = /createElement\(\s*["'`]style["'`]\s*\)|setAttribute\(\s*["'`]style["'`]|insertAdjacentHTML\(|\.innerHTML\s*=\s*["'`][^"'`]*<style/;

/**
 * True when the built client needs `'unsafe-inline'` in `style-src`: index.html has inline styles,
 * or a script creates `<style>` elements or style attributes (dialog and scroll-lock libraries
 * do). Setting `element.style.x` (React's `style` prop) goes through the CSSOM and needs nothing.
 */
export function needsInlineStyles(webRoot: string): boolean {
  try {
    if (HTML_INLINE_STYLE.test(fs.readFileSync(path.join(webRoot, INDEX_FILE), 'utf8'))) return true;
  } catch {
    return false;
  }
  const scan = (dir: string, depth: number): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth > 0) {
        if (scan(full, depth - 1)) return true;
      } else if (e.isFile() && /\.(m?js)$/.test(e.name)) {
        if (JS_INLINE_STYLE.test(fs.readFileSync(full, 'utf8'))) return true;
      }
    }
    return false;
  };
  return scan(path.join(webRoot, ASSETS_FOLDER), 2);
}
