/** The first admin a bench server is started with (VAULT_ADMIN_USERNAME / _PASSWORD). */
export interface BenchAdmin {
  username: string;
  password: string;
}

async function login(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

/** Logs the admin in, adds `users` users and logs each in: one session cookie per login. */
export async function seedSessions(url: string, admin: BenchAdmin, users: number): Promise<string[]> {
  const adminCookie = await login(url, admin.username, admin.password);
  const cookies = [adminCookie];
  for (let i = 0; i < users; i++) {
    const username = `bench-user-${i}`;
    const password = `password of user ${i}!`;
    const created = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: adminCookie },
      body: JSON.stringify({ username, password, role: 'user' }),
    });
    if (created.status !== 201 && created.status !== 409) throw new Error(`add user: ${created.status}`);
    cookies.push(await login(url, username, password));
  }
  return cookies;
}
