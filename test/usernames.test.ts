import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapFirstAdmin } from '../src/accounts/bootstrap.js';
import { operatorActor } from '../src/kernel/actor.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SignedIn, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Names that must never become users, whichever way they come in. */
const REFUSED: Array<[string, string]> = [
  ['a zero-width space', 'ad\u200bmin2'],
  ['a zero-width joiner', 'eve\u200d'],
  ['a zero-width no-break space (BOM)', '\ufeffmallory'],
  ['a right-to-left override', 'bob\u202etxt.exe'],
  ['a soft hyphen', 'car\u00adol'],
  ['a no-break space', 'dave\u00a0smith'],
  ['a tab', 'tab\tname'],
  ['a plain space', 'john doe'],
  ['a line feed', 'line\nfeed'],
  ['a Cyrillic look-alike', '\u0430dmin2'],
  ['a Greek look-alike', 'gr\u03bfup'],
  ['an unassigned code point', 'x\u0378y'],
  ['a combining accent', 'jose\u0301'],
  ['a leading dot', '.hidden'],
  ['nothing at all', ''],
  ['65 characters', 'a'.repeat(65)],
];

describeEachEngine('usernames: one normalisation and one rule for every way in', (engine) => {
  let t: TestApp;
  let orgId: string;
  let admin: SignedIn;

  const setUp = async () => {
    t = await createTestApp(engine);
    const created = await t.app.services.accounts.createOrgWithAdmin({
      orgName: 'Acme',
      username: 'admin',
      password: PASSWORD,
    });
    orgId = created.org.id;
    admin = await signIn(t.app, 'admin');
  };

  const postUser = (username: string) =>
    as(t.app, admin).post('/api/users', { username, password: PASSWORD, role: 'user' });
  const usernames = async () =>
    (await t.database.db.selectFrom('users').select('username').orderBy('username').execute()).map(
      (row) => row.username,
    );
  const login = (username: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
  /** What `user add` calls (src/cli/user.ts). */
  const cliUserAdd = (username: string) =>
    t.app.services.accounts.createUser(operatorActor(orgId), { username, password: PASSWORD, role: 'user' });

  // A refusal changes nothing, so the refusals share one app (an app is a database, migrated).
  describe('refusals', () => {
    beforeAll(setUp);
    afterAll(() => t.close());

    describe.each(REFUSED)('a name with %s', (_name, username) => {
      it('is refused by POST /api/users with 400 naming the field', async () => {
        const response = await postUser(username);
        expect(response.statusCode).toBe(400);
        expect(response.json().error.code).toBe('INVALID_INPUT');
        expect(response.json().error.message).toContain('username');
        expect(await usernames()).toEqual(['admin']);
      });

      it('is refused by the CLI (user add, org create) and by the first start', async () => {
        await expect(cliUserAdd(username)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        await expect(
          t.app.services.accounts.createOrgWithAdmin({ orgName: 'Other', username, password: PASSWORD }),
        ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        expect(await usernames()).toEqual(['admin']);
      });
    });

    it('names the invisible character it refused', async () => {
      const response = await postUser('ad\u200bmin2');
      expect(response.json().error.message).toBe(
        'username must not contain an invisible formatting character (U+200B)',
      );
    });
  });

  describe('the rest, each on a fresh app', () => {
    beforeEach(setUp);
    afterEach(() => t.close());

    it('refuses a zero-width admin name at the first start, creating no org', async () => {
      const fresh = await createTestApp(engine);
      try {
        const config = { adminUsername: 'ad\u200bmin', adminPassword: PASSWORD };
        await expect(
          bootstrapFirstAdmin(fresh.database.db, fresh.app.services.accounts, config),
        ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
        expect(await fresh.database.db.selectFrom('orgs').select('id').execute()).toEqual([]);
      } finally {
        await fresh.close();
      }
    });

    it('logs in ＡＤＭＩＮ (fullwidth) as admin', async () => {
      const response = await login('ＡＤＭＩＮ');
      expect(response.statusCode).toBe(200);
      expect(response.json().user.username).toBe('admin');
    });

    it('answers a refused name at login like any unknown user', async () => {
      const response = await login('ad\u200bmin');
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe('INVALID_CREDENTIALS');
    });

    it.each([
      ['fullwidth', 'ａｄｍｉｎ'],
      ['fullwidth capitals', 'ＡＤＭＩＮ'],
      ['mathematical bold', '\u{1d41a}\u{1d41d}\u{1d426}\u{1d422}\u{1d427}'],
      ['circled', '\u24d0\u24d3\u24dc\u24d8\u24dd'],
    ])('answers 409 for a name equal to an existing one after NFKC (%s)', async (_name, username) => {
      const response = await postUser(username);
      expect(response.statusCode).toBe(409);
      expect(response.json().error.code).toBe('CONFLICT');
      await expect(cliUserAdd(username)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await usernames()).toEqual(['admin']);
    });

    it('folds a ligature and the Kelvin sign, so the plain spelling is taken afterwards', async () => {
      expect((await postUser('\ufb01ona')).json().user.username).toBe('fiona');
      expect((await postUser('fiona')).statusCode).toBe(409);
      expect((await cliUserAdd('\u212aate')).username).toBe('kate');
      expect((await postUser('Kate')).statusCode).toBe(409);
      expect(await usernames()).toEqual(['admin', 'fiona', 'kate']);
    });

    it('stores a fullwidth name in its plain form, and both spellings log in', async () => {
      const created = await postUser('ＤＡＮＡ.ＳＣＵＬＬＹ');
      expect(created.statusCode).toBe(201);
      expect(created.json().user.username).toBe('dana.scully');
      expect((await login('dana.scully')).statusCode).toBe(200);
      expect((await login('Ｄａｎａ．Ｓｃｕｌｌｙ')).statusCode).toBe(200);
    });

    it('trims surrounding whitespace (an ideographic space too), as every lookup does', async () => {
      expect((await postUser(' walter\u3000')).json().user.username).toBe('walter');
      expect((await login('  Walter ')).statusCode).toBe(200);
    });

    it('accepts the whole allowed alphabet', async () => {
      const response = await postUser('A0._@+-z9');
      expect(response.statusCode).toBe(201);
      expect(response.json().user.username).toBe('a0._@+-z9');
      expect((await postUser('x'.repeat(64))).statusCode).toBe(201);
    });
  });
});
