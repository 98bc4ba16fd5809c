import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** What the provider says about an account: the claims and how the user signed in. */
export interface TestAccount {
  email?: string;
  email_verified?: boolean | string;
  /** Entra ID's "email domain owner verified" optional claim. */
  xms_edov?: boolean;
  /** RFC 8176 methods, e.g. ['pwd', 'mfa']. */
  amr?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by subject (`sub`); a login picks the one whose email (or subject) is the login_hint. */
  accounts: Map<string, TestAccount>;
  /** Signs in as this subject whatever the login_hint says (unset: by the hint). */
  signInAs: string | undefined;
  /**
   * Follows the provider's redirects from the authorization URL the app answered, signing in and
   * consenting as the chosen account, up to the redirect back to the app: that URL.
   */
  authorize(authorizationUrl: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider) on a free loopback port, with one confidential
 * client, code flow only. Its interactions are answered at once (no pages): the login is the
 * account the test chose, the consent grants what was asked.
 */
export async function startTestProvider(options: {
  redirectUri: string;
  /** Puts email claims into the ID token too (by default they come from UserInfo only, as oidc-provider does). */
  claimsInIdToken?: boolean;
}): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  let provider: Provider | undefined;
  const state: { signInAs: string | undefined } = { signInAs: undefined };

  const subjectFor = (hint: string | undefined): string => {
    if (state.signInAs !== undefined) return state.signInAs;
    for (const [sub, account] of accounts)
      if (hint && account.email?.toLowerCase() === hint.toLowerCase()) return sub;
    return hint ?? 'nobody';
  };

  const server: Server = createServer((req, res) => {
    const active = provider as Provider;
    if (!req.url?.startsWith('/interaction/')) return active.callback()(req, res);
    void (async () => {
      const interaction = await active.interactionDetails(req, res);
      if (interaction.prompt.name === 'login') {
        const sub = subjectFor(interaction.params.login_hint);
        await active.interactionFinished(
          req,
          res,
          { login: { accountId: sub, amr: accounts.get(sub)?.amr ?? ['pwd'] } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const grant = new active.Grant({
        accountId: interaction.session?.accountId as string,
        clientId: interaction.params.client_id as string,
      });
      const { missingOIDCScope, missingOIDCClaims } = interaction.prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      await active.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'vault-sessions';
  const clientSecret = 'test-client-secret-0123456789abcdef';

  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: ['test-provider-cookie-key'] },
    // `amr` under openid: oidc-provider only puts claims of a granted scope into the ID token.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
    conformIdTokenClaims: !options.claimsInIdToken,
    // client_credentials known (the client may not use it): Test connection tells a wrong secret by it.
    features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const { amr: _, ...claims } = account;
          return { sub, ...claims };
        },
      };
    },
  });

  provider.on('server_error', (_ctx, error) => console.error('test provider:', error));
  const remember = (jar: Map<string, string>, response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    get signInAs() {
      return state.signInAs;
    },
    set signInAs(sub: string | undefined) {
      state.signInAs = sub;
    },
    async authorize(authorizationUrl) {
      // A fresh browser at the provider each time: no session of an earlier login signs in instead.
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop++) {
        if (url.origin !== issuer) return url;
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
        const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        remember(jar, response);
        const location = response.headers.get('location');
        if (!location) throw new Error(`the provider answered ${response.status}: ${await response.text()}`);
        url = new URL(location, url);
      }
      throw new Error('too many redirects at the provider');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
