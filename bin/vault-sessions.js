#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` produced one; otherwise the TypeScript sources
// through tsx's loader, so a fresh checkout works without a build step.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
