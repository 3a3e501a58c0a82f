// Builds ui/dist, which the Tauri shell embeds. The CSP (src-tauri/tauri.conf.json) allows only files
// from the app itself, so nothing may be inlined: no inline scripts, no inline styles, no data: fonts.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  // Tauri serves the files from its own scheme; relative paths work there and in a plain file server.
  base: './',
  clearScreen: false,
  build: {
    target: 'safari16',
    outDir: 'dist',
    emptyOutDir: true,
    // Never turn small assets into data: URLs or inline them; keep every module preload a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // The stylesheet's text, which a test reads (`app.css?raw`), instead of the empty module Vitest makes
    // of a stylesheet by default.
    css: { include: [/app\.css/] },
  },
});
