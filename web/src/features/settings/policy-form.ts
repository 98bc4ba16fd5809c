import { POLICY_BOUNDS } from '../../../../src/contracts/org-policy-bounds.ts';
import type { OnLimit, OrgPolicy, OrgPolicyUpdate } from '../../api/types.ts';

/** The form's text, as typed: an empty idle or lifetime means the configuration's, an empty limit none. */
export interface Draft {
  idleMinutes: string;
  maxHours: string;
  maxSessionsPerUser: string;
  onLimit: OnLimit;
  requireMfa: boolean;
}

export type NumberField = keyof typeof POLICY_BOUNDS;
export const NUMBER_FIELDS: readonly NumberField[] = ['idleMinutes', 'maxHours', 'maxSessionsPerUser'];

export type Parsed = { ok: true; value: number | null } | { ok: false; message: string };

const grouped = new Intl.NumberFormat('en-US');
/** A number as the hints print it ("10,080"). */
export const formatNumber = (value: number): string => grouped.format(value);

/**
 * Digits, or digits grouped by threes with one kind of separator ("10,080", "10 080", "1_000"):
 * what people copy from the hints or a locale's formatting. A dot is refused rather than guessed,
 * since "1.000" is a thousand in some locales and one in others.
 */
const WHOLE_NUMBER = /^(?:\d+|\d{1,3}(?:([, _])\d{3})(?:\1\d{3})*)$/;

/**
 * Reads one numeric field. Empty means null (the default, or no limit: the form says which);
 * anything else must be a whole number within the bounds, or the field is refused by name:
 * `Number()` would make "30m" NaN, which JSON sends as null, silently resetting the value.
 */
export function parseWholeNumber(text: string, bounds: { min: number; max: number }): Parsed {
  // Locales group with a no-break or narrow no-break space; read them as the plain one.
  const trimmed = text.replace(/[\u00a0\u202f]/g, ' ').trim();
  if (trimmed === '') return { ok: true, value: null };
  const range = `${formatNumber(bounds.min)} to ${formatNumber(bounds.max)}`;
  if (!WHOLE_NUMBER.test(trimmed)) return { ok: false, message: `Enter a whole number from ${range}.` };
  const value = Number(trimmed.replace(/[, _]/g, ''));
  if (value < bounds.min || value > bounds.max)
    return { ok: false, message: `${formatNumber(value)} is outside ${range}.` };
  return { ok: true, value };
}

export function toDraft(policy: OrgPolicy): Draft {
  const own = stored(policy);
  return {
    idleMinutes: own.idleMinutes === null ? '' : String(own.idleMinutes),
    maxHours: own.maxHours === null ? '' : String(own.maxHours),
    maxSessionsPerUser: own.maxSessionsPerUser === null ? '' : String(own.maxSessionsPerUser),
    onLimit: policy.onLimit,
    requireMfa: policy.requireMfa,
  };
}

/** The org's own numbers, null where it has none (the default, or no limit). */
function stored(policy: OrgPolicy): Record<NumberField, number | null> {
  return {
    idleMinutes: policy.usesDefault.idleMinutes ? null : policy.idleMinutes,
    maxHours: policy.usesDefault.maxHours ? null : policy.maxHours,
    maxSessionsPerUser: policy.maxSessionsPerUser,
  };
}

export type DraftResult =
  | { ok: true; update: OrgPolicyUpdate }
  | { ok: false; errors: Partial<Record<NumberField, string>> };

/**
 * The update to send: only the fields that differ from the policy loaded, with the version they
 * were loaded at, so a save over another admin's change is refused (409) instead of undoing it.
 * Nothing is sent while a field is refused; an untouched form sends no fields (and no version).
 */
export function draftToUpdate(draft: Draft, loaded: OrgPolicy): DraftResult {
  const before = stored(loaded);
  const errors: Partial<Record<NumberField, string>> = {};
  const update: OrgPolicyUpdate = {};
  for (const field of NUMBER_FIELDS) {
    const parsed = parseWholeNumber(draft[field], POLICY_BOUNDS[field]);
    if (!parsed.ok) errors[field] = parsed.message;
    else if (parsed.value !== before[field]) update[field] = parsed.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  if (draft.onLimit !== loaded.onLimit) update.onLimit = draft.onLimit;
  if (draft.requireMfa !== loaded.requireMfa) update.requireMfa = draft.requireMfa;
  if (Object.keys(update).length > 0) update.version = loaded.version;
  return { ok: true, update };
}

/** A save's answer when another admin's change came first (409 CONFLICT). */
export const STALE_POLICY_MESSAGE = 'Someone else changed the policy; reload to see their change.';

type PolicyField = Exclude<keyof OrgPolicyUpdate, 'version'>;

const LABELS: Record<PolicyField, string> = {
  idleMinutes: 'idle timeout',
  maxHours: 'maximum session length',
  maxSessionsPerUser: 'sessions per user',
  onLimit: 'at the limit',
  requireMfa: 'multi-factor authentication',
};

/** The server's answer for the fields sent, e.g. "idle timeout 45 minutes, sessions per user 1,000". */
export function describeSaved(sent: OrgPolicyUpdate, answer: OrgPolicy): string {
  const parts: string[] = [];
  for (const key of Object.keys(sent) as (keyof OrgPolicyUpdate)[]) {
    if (key !== 'version') parts.push(`${LABELS[key]} ${describeValue(key, answer)}`);
  }
  return parts.join(', ');
}

function describeValue(key: PolicyField, answer: OrgPolicy): string {
  switch (key) {
    case 'idleMinutes':
      return `${formatNumber(answer.idleMinutes)} minutes${answer.usesDefault.idleMinutes ? ' (default)' : ''}`;
    case 'maxHours':
      return `${formatNumber(answer.maxHours)} hours${answer.usesDefault.maxHours ? ' (default)' : ''}`;
    case 'maxSessionsPerUser':
      return answer.maxSessionsPerUser === null ? 'no limit' : formatNumber(answer.maxSessionsPerUser);
    case 'onLimit':
      return answer.onLimit === 'deny' ? 'refuse the login' : 'end the oldest session';
    case 'requireMfa':
      return answer.requireMfa ? 'required' : 'not required';
  }
}
