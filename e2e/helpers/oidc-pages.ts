import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface PageProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Emails the provider signs in with `email_verified: false`. */
  unverified: Set<string>;
  close(): Promise<void>;
}

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, title: string, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<meta name="viewport" content="width=device-width">
<style>body{font:16px system-ui;margin:10vh auto;max-width:360px;padding:0 16px}label,input,button{display:block;width:100%;margin:6px 0}input,button{padding:8px;box-sizing:border-box}</style>
</head><body><h1>${html(title)}</h1>${body}</body></html>`);
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

/**
 * A real OpenID provider (panva's oidc-provider) on a loopback port, for the browser: its
 * interactions are pages a person fills in — a sign-in form (any email, any password; the email is
 * the account) and a consent page — as an IdP's are. One confidential client, code flow.
 */
export async function startPageProvider(redirectUri: string): Promise<PageProvider> {
  const unverified = new Set<string>();
  let provider: Provider | undefined;

  const interact = async (req: IncomingMessage, res: ServerResponse) => {
    const active = provider as Provider;
    const interaction = await active.interactionDetails(req, res);
    const action = `/interaction/${interaction.uid}`;
    if (req.method === 'GET' && interaction.prompt.name === 'login') {
      const hint = html(interaction.params.login_hint ?? '');
      return page(
        res,
        'Test IdP: sign in',
        `<form method="post" action="${action}">
<label for="email">Email</label><input id="email" name="email" type="email" value="${hint}" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`,
      );
    }
    if (req.method === 'GET') {
      return page(
        res,
        'Test IdP: allow access',
        `<p>Vault Sessions asks for your email address.</p>
<form method="post" action="${action}"><button type="submit">Allow</button></form>`,
      );
    }
    const form = await formOf(req);
    if (interaction.prompt.name === 'login') {
      const email = (form.get('email') ?? '').trim().toLowerCase();
      return active.interactionFinished(
        req,
        res,
        { login: { accountId: email } },
        { mergeWithLastSubmission: false },
      );
    }
    const grant = new active.Grant({
      accountId: interaction.session?.accountId as string,
      clientId: interaction.params.client_id as string,
    });
    const { missingOIDCScope, missingOIDCClaims } = interaction.prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    return active.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
  };

  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/interaction/')) return (provider as Provider).callback()(req, res);
    interact(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'vault-e2e';
  const clientSecret = 'e2e-client-secret-0123456789abcdef';

  provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: ['e2e-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: sub, email_verified: !unverified.has(sub), name: sub.split('@')[0] };
        },
      };
    },
  });

  return {
    issuer,
    clientId,
    clientSecret,
    unverified,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
