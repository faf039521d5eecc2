import { describe, expect, it } from 'vitest';
import { contentTypeFor } from './content-types';

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.MJS', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.woff2', 'font/woff2'],
    ['a.wasm', 'application/wasm'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.unknown', 'application/octet-stream'],
    ['assets/index-3f2a.JS', 'text/javascript; charset=utf-8'],
    ['C:\\app\\out\\renderer\\icon.png', 'image/png'],
    ['.htaccess', 'application/octet-stream'],
    ['LICENSE', 'application/octet-stream'],
    ['dir.v2/README', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});
