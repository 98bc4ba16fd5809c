import type { Introspection } from '../contracts/sessions.js';
import type { SessionService } from './sessions.service.js';

type IntrospectingSessions = Pick<
  SessionService,
  'validateSessionToken' | 'describeCurrentUser' | 'describeCurrentSession'
>;

const INACTIVE: Introspection = { active: false };

/**
 * Whether a session token is live, for a service of the org asking about a user's request. The
 * same check as every request of the user, without counting as one of them (no touch: a service
 * asking must not keep an abandoned session from idling out). Every refusal, another org's live
 * session included, is the same `{active:false}`: a key learns nothing of other orgs' tokens,
 * nor why a session ended.
 */
export async function introspectSessionToken(
  sessions: IntrospectingSessions,
  query: { orgId: string; token: string; ip: string },
): Promise<Introspection> {
  const result = await sessions.validateSessionToken(query.token, { ip: query.ip, touch: false });
  if (!result.ok || result.row.orgId !== query.orgId) return INACTIVE;
  return {
    active: true,
    user: sessions.describeCurrentUser(result.row),
    session: { ...sessions.describeCurrentSession(result.row), current: false },
  };
}
