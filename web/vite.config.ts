/**
 * The web front end's build (`npm run build` → dist/web/) and dev server. In development, run a Guestlist
 * server, then `npx vite --config web/vite.config.ts`: the API paths below are proxied to it, so the session
 * cookies and the CSRF Origin check see one origin (Vite's). GUESTLIST_URL names the server (default :8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = process.env.GUESTLIST_URL ?? 'http://localhost:8080';
/** Everything the browser calls that is not a page of the app (docs/portal.md). */
const API_PATHS = [
  '/portal/api',
  '/portal/link',
  '/portal/generate_link',
  '/portal/invites',
  '/console/api',
  '/organizations',
  '/directories',
  '/directory_users',
  '/directory_groups',
  '/events',
  '/webhook_endpoints',
  '/audit_logs',
  '/scim',
  '/health',
];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/web', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Every file under /assets/, none inlined as data: URLs; the CSP and the server's listing stay simple.
    assetsInlineLimit: 0,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, { target: server }])),
  },
});
