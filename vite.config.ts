// Builds the client into dist/ (served by server/server.ts) with an installable, offline app shell.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export const THEME_COLOR = '#16181d';

export default defineConfig({
  // Preact's automatic JSX runtime (the same settings as tsconfig.json), without a Babel preset.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
  plugins: [
    VitePWA({
      // The update is offered, never forced: client/ui/update-prompt.tsx applies it when nothing is unsynced.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: 'Barron PMS — production management',
        short_name: 'Barron PMS',
        description: 'Stages, rejects and maintenance on the shop floor; works offline and syncs when the network is back.',
        lang: 'en',
        theme_color: THEME_COLOR,
        background_color: '#f2f2ee',
        display: 'standalone',
        orientation: 'any',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Every built module (the lazy feature chunks too), so any page opens offline.
        // The QR reader's WebAssembly (browsers without BarcodeDetector, decision 0021) too, so scanning works offline.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        navigateFallback: '/index.html',
        // Data lives in IndexedDB; the API is never answered from a cache — except quality photos below.
        navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/health$/],
        runtimeCaching: [
          {
            // Quality photos seen online stay viewable offline. Only addresses made for one user (`?u=`), so a
            // shared device never answers one user with another's photo; bounded in count and age.
            urlPattern: ({ url, request }) => request.method === 'GET' && /^\/api\/attachments\/[0-9a-f-]{36}$/i.test(url.pathname) && url.searchParams.has('u'),
            handler: 'CacheFirst',
            options: {
              cacheName: 'barron-photos',
              expiration: { maxEntries: 300, maxAgeSeconds: 30 * 86_400, purgeOnQuotaError: true },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
      },
    }),
  ],
});
