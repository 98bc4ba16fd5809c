import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// How each session signed in, for the auditor's "was MFA on?" (PRODUCT.md, "Sign in like an enterprise").
describeEachEngine('how a session signed in', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
  });
  afterAll(() => t.close());

  it('shows a password login without a second factor in /api/me, the list, the detail and the login activity', async () => {
    const admin = await signIn(t.app, acme.admin.username);
    const signInFields = { loginMethod: 'password', mfa: false, identityProvider: null };
    expect((await as(t.app, admin).get('/api/me')).json().session).toMatchObject(signInFields);
    const listed = (await as(t.app, admin).get('/api/sessions')).json().sessions;
    expect(listed.find((s: { current: boolean }) => s.current)).toMatchObject(signInFields);
    const detail = (await as(t.app, admin).get(`/api/sessions/${admin.sessionId}`)).json();
    expect(detail.session).toMatchObject(signInFields);
    const login = (await as(t.app, admin).get('/api/activities?activity=user.login')).json().items[0];
    expect(login).toMatchObject({ sessionId: admin.sessionId, details: { method: 'password', mfa: false } });
  });
});
