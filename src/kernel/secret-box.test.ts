import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, openSecretBox } from './secret-box.js';

describe('secret box', () => {
  const box = createSecretBox(randomBytes(32));
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('opens what it sealed, for any text, and the sealed form shows none of it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4 }), fc.string(), (secret, context) => {
        const sealed = box.seal(secret, context);
        expect(box.open(sealed, context)).toBe(secret);
        expect(sealed).not.toContain(secret);
      }),
    );
  });

  it('refuses another context, another key and any altered byte', () => {
    const sealed = box.seal('client-secret', 'sso:org-a');
    expect(() => box.open(sealed, 'sso:org-b')).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'sso:org-a')).toThrow(/another key/);
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[3] as string, 'base64url');
    ciphertext[0] = (ciphertext[0] as number) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    expect(() => box.open(parts.join('.'), 'sso:org-a')).toThrow();
    expect(() => box.open('plain text', 'sso:org-a')).toThrow(/not a sealed secret/);
  });

  it('seals the same text differently each time (a fresh IV)', () => {
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('creates its key file once, owner-readable, and reads the same key after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-box-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'secrets.key');
    expect(openSecretBox(path, { create: false })).toBeUndefined();
    const first = openSecretBox(path, { create: true });
    const content = readFileSync(path, 'utf8');
    const again = openSecretBox(path, { create: true });
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(again?.open(first?.seal('x', 'c') as string, 'c')).toBe('x');
  });
});
