import type { Kysely } from 'kysely';
import { ACTIVITY } from '../../activity/activity-names.js';
import { recordActivities } from '../../activity/chain/record.js';
import type { OrgPolicy, OrgPolicyUpdate } from '../../contracts/org-policy.js';
import type { Schema } from '../../db/schema.js';
import { type Actor, isAdmin } from '../../kernel/actor.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { HOUR_MS, MINUTE_MS } from '../../kernel/time.js';
import type { FreshestAccess } from '../freshest-access.js';
import { findOrgPolicy, lockOrgPolicy, saveOrgPolicy } from './org-policy.repository.js';
import type { OrgPolicyRow } from './org-policy.table.js';
import { endOutlivedSessions } from './outlived-sessions.js';
import { effectiveLimits, type SessionLimits } from './session-limits.js';

export interface OrgPolicyServiceDeps {
  db: Kysely<Schema>;
  clock: Clock;
  /** The configuration's idle and lifetime limits, for orgs that keep them. */
  defaults: SessionLimits;
  /** The freshest access known here, to tell which sessions ran out under the limits being changed. */
  access: Pick<FreshestAccess, 'latestAccessAt'>;
}

/** The policy's fields as the API names them, null meaning "the configuration's" / "no limit". */
type PolicyFields = Omit<OrgPolicyUpdate, 'version'>;
type StoredFields = Required<{ [K in keyof PolicyFields]: Exclude<PolicyFields[K], undefined> }>;
type Field = keyof StoredFields;
const FIELDS: readonly Field[] = ['idleMinutes', 'maxHours', 'maxSessionsPerUser', 'onLimit', 'requireMfa'];

export type OrgPolicyService = ReturnType<typeof createOrgPolicyService>;

/** An org's session policy: read and changed by its admins, every change an activity. */
export function createOrgPolicyService(deps: OrgPolicyServiceDeps) {
  const { db, clock, defaults } = deps;

  const blank = (orgId: string, now: number): OrgPolicyRow => ({
    orgId,
    idleMs: null,
    maxMs: null,
    maxSessionsPerUser: null,
    onLimit: 'end_oldest',
    requireMfa: 0,
    updatedAt: now,
    updatedBy: null,
    version: 0,
  });

  const toPolicy = (row: OrgPolicyRow | undefined): OrgPolicy => {
    const fields = toFields(row ?? blank('', 0));
    return {
      idleMinutes: fields.idleMinutes ?? defaults.idleMs / MINUTE_MS,
      maxHours: fields.maxHours ?? defaults.maxMs / HOUR_MS,
      maxSessionsPerUser: fields.maxSessionsPerUser,
      onLimit: fields.onLimit,
      requireMfa: fields.requireMfa,
      defaults: { idleMinutes: defaults.idleMs / MINUTE_MS, maxHours: defaults.maxMs / HOUR_MS },
      usesDefault: { idleMinutes: fields.idleMinutes === null, maxHours: fields.maxHours === null },
      version: Number(row?.version ?? 0),
    };
  };

  const requireAdmin = (actor: Actor) => {
    if (!isAdmin(actor)) throw forbidden('Only an admin can see or change the org’s session policy');
  };

  return {
    /** Whether the org requires a second factor at login (`requireMfa`); read afresh each login. */
    async requiresMfa(orgId: string): Promise<boolean> {
      const row = await findOrgPolicy(db, orgId);
      return row !== undefined && Number(row.requireMfa) === 1;
    },

    /** The org's policy in force, with the configuration's values where it keeps them. */
    async getPolicy(actor: Actor): Promise<OrgPolicy> {
      requireAdmin(actor);
      return toPolicy(await findOrgPolicy(db, actor.orgId));
    },

    /**
     * Changes the fields given, leaves the others, and answers the whole policy. A change is
     * recorded (`org.policy_changed`, each changed field before and after) in its transaction;
     * the per-request check reads the policy with every session, so it is in force at once.
     * With `version`, only from that version: the check is under the policy's lock, so of two
     * admins saving from one version exactly one gets through and the other a 409.
     */
    async updatePolicy(actor: Actor, update: OrgPolicyUpdate): Promise<OrgPolicy> {
      requireAdmin(actor);
      const now = clock.now();
      const saved = await db.transaction().execute(async (trx) => {
        const before =
          (await lockOrgPolicy(trx, actor.orgId, blank(actor.orgId, now))) ?? blank(actor.orgId, now);
        if (update.version !== undefined && update.version !== Number(before.version)) {
          throw policyChanged();
        }
        const old = toFields(before);
        const next: StoredFields = { ...old };
        for (const field of FIELDS) {
          if (update[field] !== undefined) Object.assign(next, { [field]: update[field] });
        }
        const changes = Object.fromEntries(
          FIELDS.filter((f) => next[f] !== old[f]).map((f) => [f, { before: old[f], after: next[f] }]),
        );
        if (Object.keys(changes).length === 0) return before;
        const row = {
          ...fromFields(actor.orgId, next),
          updatedAt: now,
          updatedBy: actor.userId,
          version: Number(before.version) + 1,
        };
        const oldLimits = effectiveLimits(before, defaults);
        const newLimits = effectiveLimits(row, defaults);
        if (oldLimits.idleMs !== newLimits.idleMs || oldLimits.maxMs !== newLimits.maxMs) {
          // What ran out under the old limits stays over: a higher one must not bring it back.
          await endOutlivedSessions(trx, { orgId: actor.orgId, limits: oldLimits, now }, deps.access);
        }
        await saveOrgPolicy(trx, row);
        await recordActivities(
          trx,
          actor.orgId,
          [
            {
              occurredAt: now,
              userId: actor.userId,
              username: actor.username,
              activity: ACTIVITY.ORG_POLICY_CHANGED,
              status: 'success',
              target: 'session policy',
              details: JSON.stringify({ changes }),
              publicIp: actor.publicIp,
              sessionId: actor.sessionId,
            },
          ],
          now,
        );
        return row;
      });
      return toPolicy(saved);
    },
  };
}

function toFields(row: OrgPolicyRow): StoredFields {
  return {
    idleMinutes: row.idleMs === null ? null : Number(row.idleMs) / MINUTE_MS,
    maxHours: row.maxMs === null ? null : Number(row.maxMs) / HOUR_MS,
    maxSessionsPerUser: row.maxSessionsPerUser,
    onLimit: row.onLimit,
    requireMfa: Number(row.requireMfa) === 1,
  };
}

function policyChanged(): AppError {
  return new AppError(
    'CONFLICT',
    'The session policy was changed by someone else since it was read: reload it and make the change again',
  );
}

function fromFields(
  orgId: string,
  f: StoredFields,
): Omit<OrgPolicyRow, 'updatedAt' | 'updatedBy' | 'version'> {
  return {
    orgId,
    idleMs: f.idleMinutes === null ? null : f.idleMinutes * MINUTE_MS,
    maxMs: f.maxHours === null ? null : f.maxHours * HOUR_MS,
    maxSessionsPerUser: f.maxSessionsPerUser,
    onLimit: f.onLimit,
    requireMfa: f.requireMfa ? 1 : 0,
  };
}
