import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../src/activity/streams/stream-payload.js';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
type Check = (secret: string, rawBody: Buffer, header: string, nowMs?: number) => boolean;

describe('the README’s signature check for stream receivers', () => {
  let dir: string;
  let fromVault: Check;

  beforeAll(async () => {
    const snippet = /<!-- stream-signature-check[^>]*-->\n```js\n([\s\S]*?)```/.exec(README)?.[1];
    if (!snippet) throw new Error('README: the stream signature snippet is gone');
    dir = mkdtempSync(join(tmpdir(), 'readme-snippet-'));
    writeFileSync(join(dir, 'check.mjs'), snippet);
    ({ fromVault } = (await import(pathToFileURL(join(dir, 'check.mjs')).href)) as { fromVault: Check });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts what a stream signs, and refuses another body, secret or an old signature', () => {
    const now = Date.UTC(2026, 11, 3, 12);
    fc.assert(
      fc.property(
        fc.string({ minLength: 16 }),
        fc.string(),
        fc.string({ minLength: 1 }),
        (secret, body, other) => {
          const header = signBody(secret, body, now);
          const raw = Buffer.from(body, 'utf8');
          expect(fromVault(secret, raw, header, now + 60_000)).toBe(true);
          expect(fromVault(secret, Buffer.from(body + other, 'utf8'), header, now)).toBe(false);
          expect(fromVault(`${secret}x`, raw, header, now)).toBe(false);
          expect(fromVault(secret, raw, header, now + 301_000)).toBe(false);
          expect(fromVault(secret, raw, header.replace(/v1=.*/, 'v1='), now)).toBe(false);
        },
      ),
    );
  });
});
