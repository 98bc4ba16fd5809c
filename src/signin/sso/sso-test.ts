import type { SsoTestResult } from '../../contracts/sso.js';
import {
  classify,
  discover,
  issuerProblem,
  metadataProblems,
  oidc,
  type ProviderSettings,
  type SsoFailure,
} from './oidc-client.js';

type Check = SsoTestResult['checks'][number];

const HINTS: Partial<Record<SsoFailure['code'], string>> = {
  sso_provider_unreachable: 'check the issuer URL and that this server can reach it (proxy, firewall, DNS)',
  sso_client_rejected: 'check the client id and secret registered with the provider',
};

const explain = (failure: SsoFailure) => {
  const hint = HINTS[failure.code];
  return hint ? `${failure.message}: ${hint}` : failure.message;
};

/**
 * Runs what a login will rely on, in order, and says which step fails and how to fix it: the
 * issuer's form, discovery (reachable, the same issuer), the endpoints and PKCE S256, and the
 * client credentials where the provider lets that be told (a client_credentials grant answered
 * `invalid_client`; any other answer means it knew the client and its secret).
 */
export async function testProvider(settings: ProviderSettings): Promise<SsoTestResult> {
  const checks: Check[] = [];
  const done = () => ({ ok: checks.every((check) => check.ok), checks });

  const problem = issuerProblem(settings.issuer);
  checks.push({
    name: 'issuer',
    ok: problem === undefined,
    detail: problem ? `the issuer ${problem}` : settings.issuer,
  });
  if (problem) return done();

  let config: oidc.Configuration;
  try {
    config = await discover(settings);
  } catch (error) {
    checks.push({ name: 'discovery', ok: false, detail: explain(classify(error, 'discovery')) });
    return done();
  }
  const metadata = config.serverMetadata();
  checks.push({ name: 'discovery', ok: true, detail: `the provider publishes itself as ${metadata.issuer}` });

  const problems = metadataProblems(config);
  const endpointProblems = problems.filter((p) => p.includes('endpoint'));
  checks.push({
    name: 'endpoints',
    ok: endpointProblems.length === 0,
    detail:
      endpointProblems.join('; ') ||
      `authorization ${metadata.authorization_endpoint}, token ${metadata.token_endpoint}`,
  });
  const pkce = problems.find((p) => p.includes('PKCE'));
  checks.push({
    name: 'PKCE S256',
    ok: pkce === undefined,
    detail:
      pkce ??
      (metadata.code_challenge_methods_supported
        ? 'supported'
        : 'not advertised by the provider; the vault sends S256 all the same'),
  });
  if (endpointProblems.length > 0) return done();

  checks.push(
    settings.clientSecret === ''
      ? { name: 'client credentials', ok: false, detail: 'no client secret was given and none is stored' }
      : await clientCredentialsCheck(config),
  );
  return done();
}

async function clientCredentialsCheck(config: oidc.Configuration): Promise<Check> {
  const name = 'client credentials';
  try {
    await oidc.clientCredentialsGrant(config);
    return { name, ok: true, detail: 'the provider accepted the client id and secret' };
  } catch (error) {
    const failure = classify(error, 'client credentials');
    if (failure.code === 'sso_client_rejected' || failure.code === 'sso_provider_unreachable') {
      return { name, ok: false, detail: explain(failure) };
    }
    if (error instanceof oidc.ResponseBodyError) {
      // unauthorized_client, unsupported_grant_type…: the client authenticated, it may just not use this grant.
      return {
        name,
        ok: true,
        detail: `the provider knew the client and its secret (it answered ${error.error} to a client_credentials grant, which logins do not use)`,
      };
    }
    return { name, ok: true, detail: `could not be told (${failure.message}); a login will show it` };
  }
}
