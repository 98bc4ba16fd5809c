import * as oidc from 'openid-client';
import type { SsoError } from '../../contracts/sso.js';

/** What the vault needs to talk to an org's provider. */
export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** A refusal of an SSO step, with the `?error=` code and what happened, for the log. */
export class SsoFailure extends Error {
  constructor(
    readonly code: SsoError,
    message: string,
  ) {
    super(message);
  }
}

/** How long a provider has to answer one request: a login page waits for it. */
const PROVIDER_TIMEOUT_SECONDS = 10;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** A provider on this machine: plain HTTP is allowed for it (development and tests). */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
}

/** What is wrong with an issuer URL, or undefined: https (or loopback http), no query, fragment or userinfo. */
export function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'must be a URL such as https://login.example.com';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    return 'must be https (plain http only for a loopback address: 127.0.0.1, [::1], localhost)';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.search || url.hash) return 'must not have a query or fragment';
  return undefined;
}

/** Reads the provider's discovery document and makes the client of it; throws SsoFailure. */
export async function discover(settings: ProviderSettings): Promise<oidc.Configuration> {
  const issuer = new URL(settings.issuer);
  try {
    return await oidc.discovery(
      issuer,
      settings.clientId,
      // Sent in the Authorization header; every provider of the README takes it.
      { client_secret: settings.clientSecret },
      oidc.ClientSecretBasic(settings.clientSecret),
      {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      },
    );
  } catch (error) {
    throw classify(error, 'discovery');
  }
}

/** Where the provider stands on what the vault relies on; each problem is fatal but S256 left unsaid. */
export function metadataProblems(config: oidc.Configuration): string[] {
  const metadata = config.serverMetadata();
  const problems: string[] = [];
  if (!metadata.authorization_endpoint)
    problems.push('the discovery document names no authorization_endpoint');
  if (!metadata.token_endpoint) problems.push('the discovery document names no token_endpoint');
  const methods = metadata.code_challenge_methods_supported;
  if (methods !== undefined && !methods.includes('S256')) {
    problems.push(`the provider does not support PKCE S256 (only ${methods.join(', ') || 'none'})`);
  }
  return problems;
}

type Phase = 'discovery' | 'grant' | 'userinfo' | 'client credentials';

/** The failure an error of openid-client (or of fetch beneath it) stands for. */
export function classify(error: unknown, phase: Phase): SsoFailure {
  if (error instanceof SsoFailure) return error;
  const what = phase === 'discovery' ? 'the discovery document' : `the ${phase} request`;
  if (error instanceof oidc.ResponseBodyError) {
    if (error.error === 'invalid_client') {
      return new SsoFailure(
        'sso_client_rejected',
        'the provider refused the client id or secret (invalid_client)',
      );
    }
    return new SsoFailure(
      'sso_provider_error',
      `the provider answered ${what} with ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
    );
  }
  // A 401 with WWW-Authenticate (oidc-provider, Keycloak): the client's authentication failed.
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    const named = error.cause.map((challenge) => challenge.parameters.error).find(Boolean);
    if (named === 'invalid_client' || error.status === 401) {
      return new SsoFailure(
        'sso_client_rejected',
        `the provider refused the client id or secret (${named ?? error.status})`,
      );
    }
    return new SsoFailure(
      'sso_provider_error',
      `the provider answered ${what} with ${named ?? error.status}`,
    );
  }
  if (error instanceof oidc.AuthorizationResponseError) {
    return new SsoFailure(
      'sso_provider_error',
      `the provider ended the login with ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
    );
  }
  const code = error instanceof oidc.ClientError ? error.code : undefined;
  // fetch throws a TypeError when it cannot connect; a timeout comes as OAUTH_TIMEOUT.
  if (error instanceof TypeError || code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return new SsoFailure(
      'sso_provider_unreachable',
      `the provider could not be reached for ${what}${cause ? ` (${cause})` : ''}`,
    );
  }
  if (phase === 'discovery') {
    const message = error instanceof Error ? error.message : String(error);
    return new SsoFailure('sso_provider_error', `${what} could not be used: ${message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SsoFailure('sso_token_invalid', `the provider’s answer failed validation: ${message}`);
}

export { oidc };
