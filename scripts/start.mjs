#!/usr/bin/env node
// `npm start`: serves from dist/ when it was built from the sources as they are, and builds first
// only when it is missing or stale (one build at a time, see build.mjs). With a current build it
// needs nothing but the runtime dependencies, so `npm ci --omit=dev && npm start` works.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BuildError, build, ROOT } from './build.mjs';

try {
  await build(ROOT, { ifStale: true });
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

// The server runs in this process, so signals reach it directly (no child to forward them to).
const cli = join(ROOT, 'dist', 'cli.js');
process.argv = [process.argv[0], cli, 'serve', ...process.argv.slice(2)];
await import(pathToFileURL(cli).href);
