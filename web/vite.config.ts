import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// scripts/build.mjs builds beside web/dist and swaps the result in, so a running server never sees it half written.
const outDir = process.env.VAULT_WEB_OUT_DIR ?? join(root, 'dist');
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

/** Writes .br and .gz twins of text files; @fastify/static (preCompressed) serves them as they are. */
function precompress(): Plugin {
  return {
    name: 'vault-precompress',
    apply: 'build',
    closeBundle() {
      for (const entry of readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
        const file = join(entry.parentPath, entry.name);
        const content = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

/** The web UI: built to web/dist and served by the Fastify app (src/http/plugins/static-web.ts). */
export default defineConfig({
  root,
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // The CSP (script-src 'self') forbids inline scripts: no inlined preload polyfill, no inlined assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for UI work against an API running on :3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
