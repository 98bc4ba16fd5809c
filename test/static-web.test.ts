import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** A web/dist as `vite build` leaves it: a page, a hashed asset with its .br twin, a top-level file. */
function writeWebDist(dir: string, version: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  const script = `console.log(${JSON.stringify(version)});`;
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>${version}</title>`);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), script);
  writeFileSync(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(script));
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

const PATHS = ['/', '/sessions', '/assets/index-abc123.js', '/favicon.svg', '/no-such-page'];

describeEachEngine('the web app while another build replaces web/dist', (engine) => {
  let t: TestApp;
  let parent: string;
  let webRoot: string;

  beforeEach(async () => {
    parent = mkdtempSync(join(tmpdir(), 'vault-web-'));
    webRoot = join(parent, 'dist');
    writeWebDist(webRoot, 'first build');
    t = await createTestApp(engine, { webRoot });
  });
  afterEach(async () => {
    await t.close();
    rmSync(parent, { recursive: true, force: true });
  });

  const get = (url: string) =>
    t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', 'accept-encoding': 'br' } });

  it('answers 404, never an error, for every page and file while web/dist is gone', async () => {
    for (const path of PATHS) expect((await get(path)).statusCode, path).toBeLessThan(500);
    renameSync(webRoot, join(parent, 'dist.old'));

    for (const path of PATHS) expect((await get(path)).statusCode, path).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('serves the new build once it is swapped in, without a restart', async () => {
    renameSync(webRoot, join(parent, 'dist.old'));
    writeWebDist(webRoot, 'second build');

    const page = await get('/sessions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('second build');
    // A session's own page is the app too (a link to it survives a reload); a malformed id is not.
    const detail = await get('/sessions/0b7e1c9a-3f4d-4e5a-9b6c-7d8e9f0a1b2c');
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('second build');
    expect((await get('/sessions/not-an-id')).statusCode).toBe(404);
    // The Users page survives a reload too.
    const users = await get('/users');
    expect(users.statusCode).toBe(200);
    expect(users.body).toContain('second build');
    // And the Streams page.
    const streams = await get('/streams');
    expect(streams.statusCode).toBe(200);
    expect(streams.body).toContain('second build');
    // And the Single sign-on page.
    const sso = await get('/sso');
    expect(sso.statusCode).toBe(200);
    expect(sso.body).toContain('second build');
    const asset = await get('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('br');
  });
});
