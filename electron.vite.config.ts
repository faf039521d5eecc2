import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

// Every entry is explicit (docs/TOOLCHAIN.md): our folders are src-main, src-preload and
// src-renderer, not electron-vite's default src/main etc. Never enable build.bytecode: it spawns
// Electron, which the build machines do not have.
const projectRoot = dirname(fileURLToPath(import.meta.url));
const fromRoot = (path: string): string => resolve(projectRoot, path);

/** The service worker (src-renderer/sw.ts) is emitted unhashed at the root of out/renderer. */
const SERVICE_WORKER_ENTRY = 'sw';
const SERVICE_WORKER_FILE = 'sw.js';
const PRECACHE_PLACEHOLDER = /(["'`])__SWITCHBOARD_PRECACHE_MANIFEST__\1/;

/**
 * Absolute asset URLs (`/assets/…`). electron-vite forces `base: './'` for production renderer
 * builds (for file:// pages, which we never use: app:// and the sync server both serve from their
 * root); with './', index.html served for an app route such as `/inbox/42` (the server's and the
 * service worker's fallback) would look for its scripts under `/inbox/assets/`. A `<base>` element
 * is no way out: the CSP says `base-uri 'none'`.
 */
function absoluteBase(): Plugin {
  return { name: 'switchboard:absolute-base', config: () => ({ base: '/' }) };
}

/**
 * Writes the offline shell's precache list into sw.js once the renderer is on disk: every file of
 * out/renderer (public files included) but sw.js itself, source maps and dotfiles, and a version
 * hashed from their contents, which names the cache so that a new build replaces the old shell.
 */
function serviceWorkerManifest(): Plugin {
  return {
    name: 'switchboard:sw-precache-manifest',
    apply: 'build',
    enforce: 'post',
    writeBundle(options) {
      const outDir = options.dir ?? fromRoot('out/renderer');
      const files: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (entry.name.startsWith('.')) continue;
          const full = join(dir, entry.name);
          if (entry.isDirectory()) walk(full);
          else if (entry.isFile() && !entry.name.endsWith('.map')) files.push(relative(outDir, full).split(sep).join('/'));
        }
      };
      walk(outDir);
      const precached = files.filter((f) => f !== SERVICE_WORKER_FILE).sort();
      const hash = createHash('sha256');
      for (const f of precached) hash.update(f).update('\0').update(readFileSync(join(outDir, f))).update('\0');
      const manifest = { version: hash.digest('hex').slice(0, 16), files: precached };
      const swPath = join(outDir, SERVICE_WORKER_FILE);
      const code = readFileSync(swPath, 'utf8');
      if (!PRECACHE_PLACEHOLDER.test(code)) throw new Error(`${SERVICE_WORKER_FILE}: precache placeholder not found`);
      writeFileSync(swPath, code.replace(PRECACHE_PLACEHOLDER, () => JSON.stringify(JSON.stringify(manifest))));
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('out/main'),
      lib: { entry: fromRoot('src-main/index.ts') },
    },
  },
  preload: {
    build: {
      outDir: fromRoot('out/preload'),
      // CommonJS, because a sandboxed preload cannot load ES modules: out/preload/index.cjs.
      lib: { entry: fromRoot('src-preload/index.ts'), formats: ['cjs'] },
      // A sandboxed preload can require nothing but `electron`, so zod is bundled, not externalised.
      externalizeDeps: false,
    },
  },
  renderer: {
    root: fromRoot('src-renderer'),
    build: {
      outDir: fromRoot('out/renderer'),
      // The same bundle is the web client: minify it (electron-vite leaves renderers unminified).
      minify: true,
      rollupOptions: {
        input: {
          index: fromRoot('src-renderer/index.html'),
          // The offline shell of browser mode (src-renderer/offline.ts registers it).
          [SERVICE_WORKER_ENTRY]: fromRoot('src-renderer/sw.ts'),
        },
        output: {
          // A service worker's URL must stay put across builds: sw.js, unhashed, at the root.
          entryFileNames: (chunk) => (chunk.name === SERVICE_WORKER_ENTRY ? SERVICE_WORKER_FILE : 'assets/[name]-[hash].js'),
        },
      },
    },
    plugins: [react(), absoluteBase(), serviceWorkerManifest()],
  },
});
