import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// base './' so the same build loads from file:// in Electron and from the loopback host.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { fs: { allow: ['..'] } },
});
