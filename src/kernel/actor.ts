/** What a user may do in their org: an admin manages it, a user sees their own. */
export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is acting: a logged-in user (with their session), or an operator at the CLI, who acts
 * as an admin of one org and is no user of it (userId null, recorded as "operator").
 */
export interface Actor {
  userId: string | null;
  orgId: string;
  username: string;
  role: Role;
  sessionId: string | null;
  publicIp: string | null;
}

export const isAdmin = (actor: Actor): boolean => actor.role === 'admin';

/** The CLI's actor for one org. */
export function operatorActor(orgId: string): Actor {
  return { userId: null, orgId, username: 'operator', role: 'admin', sessionId: null, publicIp: null };
}

/** The user id a non-admin is confined to; an operator is never confined. */
export function confinedUserId(actor: Actor): string | undefined {
  return isAdmin(actor) ? undefined : (actor.userId ?? undefined);
}
