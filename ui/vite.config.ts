/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vite';

// The Tauri shell loads dist/index.html through its custom protocol; the default base '/' works
// there, and everything is bundled (no network at run time).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Tauri prints its own output in the same terminal during `tauri dev`.
  clearScreen: false,
  server: {
    // The port tauri.conf.json's devUrl points at; failing beats silently moving to another one.
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
  },
});
