import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Every entry is explicit (docs/TOOLCHAIN.md): our folders are src-main, src-preload and
// src-renderer, not electron-vite's default src/main etc. Never enable build.bytecode: it spawns
// Electron, which the build machines do not have.
const projectRoot = dirname(fileURLToPath(import.meta.url));
const fromRoot = (path: string): string => resolve(projectRoot, path);

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
      rollupOptions: {
        input: { index: fromRoot('src-renderer/index.html') },
      },
    },
    plugins: [react()],
  },
});
