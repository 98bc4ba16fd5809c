import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IDENTITY_HEADERS } from '../src/sessions/forward-auth.routes.js';
import { PLACEHOLDER, SNIPPETS } from './helpers/proxies.js';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The files in docs/proxy/ are what the proxy tests run; the README shows the same text. */
describe.each(Object.entries(SNIPPETS))('the %s snippet', (_kind, path) => {
  const snippet = readFileSync(path, 'utf8');

  it('appears in the README verbatim', () => {
    expect(README).toContain(snippet.trimEnd());
  });

  it('passes every identity header the vault answers with, by its exact name', () => {
    for (const header of Object.values(IDENTITY_HEADERS)) {
      const canonical = header.replace(
        /(^|-)([a-z])/g,
        (_, dash: string, c: string) => dash + c.toUpperCase(),
      );
      expect(snippet).toContain(canonical);
    }
  });

  it('is written with the placeholders the tests substitute', () => {
    for (const placeholder of Object.values(PLACEHOLDER)) expect(snippet).toContain(placeholder);
    expect(snippet).toContain('/api/auth/verify');
  });
});
