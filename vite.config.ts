/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const sharedEntry = fileURLToPath(new URL('./shared/src/index.ts', import.meta.url));
const alias = { '@lwm2m-console/shared': sharedEntry };

/**
 * One config for the console build (root `web/`) and for every test project:
 * - `core`: shared/ and bridge/ unit tests plus cross-package tests in test/, in Node;
 * - `web`: store and component tests in a DOM.
 * Tests import TypeScript sources directly; tests that start the bridge process use the
 * build (`npm test` builds first).
 */
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  plugins: [vue()],
  resolve: { alias },
  build: {
    outDir: fileURLToPath(new URL('./web/dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'core',
          environment: 'node',
          include: ['shared/src/**/*.test.ts', 'bridge/src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [vue()],
        resolve: { alias },
        test: {
          name: 'web',
          environment: 'happy-dom',
          include: ['web/src/**/*.test.ts'],
        },
      },
    ],
  },
});
