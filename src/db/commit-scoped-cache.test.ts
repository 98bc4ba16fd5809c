import { describe, expect, it } from 'vitest';
import { CommitScopedCache } from './commit-scoped-cache.js';

describe('CommitScopedCache', () => {
  const setup = (maxEntries = 10) => {
    let version = 1;
    let loads = 0;
    let versionReads = 0;
    const cache = new CommitScopedCache<{ v: number }>(() => {
      versionReads++;
      return version;
    }, maxEntries);
    const get = (key: string, value: number | null = 1) =>
      cache.get(key, () => {
        loads++;
        return value === null ? undefined : { v: value };
      });
    return { get, commit: () => version++, loads: () => loads, versionReads: () => versionReads };
  };

  it('answers a repeated key from memory while the version stays', async () => {
    const c = setup();
    expect(await c.get('a', 1)).toEqual({ v: 1 });
    expect(await c.get('a', 2)).toEqual({ v: 1 });
    expect(c.loads()).toBe(1);
  });

  it('reads again after any commit', async () => {
    const c = setup();
    await c.get('a', 1);
    c.commit();
    expect(await c.get('a', 2)).toEqual({ v: 2 });
    expect(c.loads()).toBe(2);
  });

  it('does not remember misses', async () => {
    const c = setup();
    expect(await c.get('nope', null)).toBeUndefined();
    expect(await c.get('nope', null)).toBeUndefined();
    expect(c.loads()).toBe(2);
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const c = setup(2);
    await c.get('a');
    await c.get('b');
    await c.get('c');
    expect(c.loads()).toBe(3);
    await c.get('c');
    await c.get('b');
    expect(c.loads()).toBe(3);
    await c.get('a');
    expect(c.loads()).toBe(4);
  });

  it('reads the version once for all lookups of one event-loop turn, and again in the next', async () => {
    const c = setup();
    await Promise.all([c.get('a'), c.get('b'), c.get('c')]);
    expect(c.versionReads()).toBe(1);
    await c.get('a');
    expect(c.versionReads()).toBe(2);
  });

  it('checks a lookup against a version read after the lookup was asked for', async () => {
    const c = setup();
    await c.get('a', 1);
    const pending = c.get('a', 2);
    c.commit(); // lands after the request arrived, before its turn's check: it must be seen
    expect(await pending).toEqual({ v: 2 });
  });

  it('fails the lookups of a turn whose version read fails (fail closed)', async () => {
    const cache = new CommitScopedCache<{ v: number }>(() => {
      throw new Error('disk I/O error');
    }, 10);
    await expect(cache.get('a', () => ({ v: 1 }))).rejects.toThrow('disk I/O error');
  });

  it('hands out frozen values, so no request can change what the next one sees', async () => {
    const c = setup();
    const value = (await c.get('a')) as { v: number };
    expect(Object.isFrozen(value)).toBe(true);
  });
});
