import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { as, CHROME_WINDOWS, PASSWORD, type SignedIn } from './factories.js';

/** The code an authenticator app shows for `secret` at `at` (ms). */
export function codeAt(secret: string, at: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    timestamp: at,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
}

/** Enrols and confirms TOTP for a signed-in user at `now`; answers the secret and recovery codes. */
export async function turnOnTotp(
  app: FastifyInstance,
  who: SignedIn,
  now: number,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrolled = await as(app, who).post('/api/me/mfa/totp', {});
  if (enrolled.statusCode !== 200) throw new Error(`enrol: ${enrolled.statusCode} ${enrolled.body}`);
  const { secret } = enrolled.json() as { secret: string };
  const confirmed = await as(app, who).post('/api/me/mfa/totp/confirm', { code: codeAt(secret, now) });
  if (confirmed.statusCode !== 200) throw new Error(`confirm: ${confirmed.statusCode} ${confirmed.body}`);
  return { secret, recoveryCodes: (confirmed.json() as { recoveryCodes: string[] }).recoveryCodes };
}

export function passwordLogin(
  app: FastifyInstance,
  username: string,
  options: { ip?: string; password?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: options.ip ?? '203.0.113.9',
    headers: { 'user-agent': CHROME_WINDOWS },
    payload: { username, password: options.password ?? PASSWORD },
  });
}

/** The password step of an MFA login: its mfaToken (throws unless the answer was `code`). */
export async function mfaTokenOf(
  app: FastifyInstance,
  username: string,
  code: 'MFA_REQUIRED' | 'MFA_ENROLLMENT_REQUIRED' = 'MFA_REQUIRED',
  ip?: string,
): Promise<string> {
  const response = await passwordLogin(app, username, ip === undefined ? {} : { ip });
  const body = response.json() as { error?: { code: string }; mfaToken?: string };
  if (response.statusCode !== 401 || body.error?.code !== code || !body.mfaToken) {
    throw new Error(`expected ${code}: ${response.statusCode} ${response.body}`);
  }
  return body.mfaToken;
}

export function finishLogin(
  app: FastifyInstance,
  mfaToken: string,
  code: string,
  ip = '203.0.113.9',
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login/mfa',
    remoteAddress: ip,
    headers: { 'user-agent': CHROME_WINDOWS },
    payload: { mfaToken, code },
  });
}

export const sessionCookieOf = (response: LightMyRequestResponse) =>
  response.cookies.find((c) => c.name === 'vault_session' || c.name === '__Host-vault_session');

export function statuses(responses: readonly LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of responses) {
    const key =
      r.statusCode >= 400
        ? `${r.statusCode} ${(r.json() as { error: { code: string } }).error.code}`
        : `${r.statusCode}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The org's activities of one name, newest first, as an admin reads them. */
export async function activitiesNamed(
  app: FastifyInstance,
  admin: SignedIn,
  name: string,
): Promise<Array<{ username: string; target: string | null; details: unknown; status: string }>> {
  const response = await as(app, admin).get(`/api/activities?limit=100&activity=${encodeURIComponent(name)}`);
  if (response.statusCode !== 200) throw new Error(`activities: ${response.statusCode} ${response.body}`);
  return response.json().items;
}
