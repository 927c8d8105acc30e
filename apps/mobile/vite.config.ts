import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import type { Plugin } from 'vite';

// The mobile pages (residents, members, grid workers) are served by the API server at `/m/`; in
// development Vite proxies `/api` to it (http://localhost:8080, or TONGXIN_API).
const api = process.env.TONGXIN_API ?? 'http://localhost:8080';

/**
 * Vant's icon font is embedded (a woff2 data: URL), with a fallback on a CDN (at.alicdn.com) that
 * browsers fetch when the first one fails. The pages load nothing from elsewhere (the content policy
 * refuses it, and a government intranet cannot reach it): the fallback is dropped.
 */
const noRemoteFonts = (): Plugin => ({
  name: 'tongxin-no-remote-fonts',
  generateBundle(_options, bundle) {
    for (const file of Object.values(bundle)) {
      if (file.type !== 'asset' || !file.fileName.endsWith('.css')) continue;
      const css = String(file.source);
      file.source = css.replace(/,\s*url\((["']?)(?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\((["'])woff\2\)/g, '');
    }
  },
});

export default defineConfig({
  base: '/m/',
  plugins: [vue(), noRemoteFonts()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    port: 5174,
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/vant') || id.includes('node_modules/@vant')) return 'vant';
          if (id.includes('node_modules/maplibre-gl')) return 'maplibre';
          if (/node_modules\/(@vue|vue|vue-router|vue-i18n|@intlify)\//.test(id)) return 'vue';
          return undefined;
        },
      },
    },
  },
});
