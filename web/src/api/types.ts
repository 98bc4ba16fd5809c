/**
 * Shapes of the HTTP API, from the server's own contracts (src/contracts/): the schemas the
 * server validates and documents (/api/openapi.json) are the types the UI is written against.
 * Type-only imports: nothing of the server is bundled.
 */

import type { ListUsersParams } from '../../../src/contracts/accounts.ts';
import type {
  ActivityHistogram,
  ActivityPage,
  ActivitySearchQuery,
} from '../../../src/contracts/activity.ts';
import type { Period, SortKey, SortOrder } from '../../../src/contracts/activity-terms.ts';
import type {
  DeviceType,
  EndReason,
  ListSessionsParams,
  Me,
  Session,
  SessionDetail,
  SessionFilter,
  SessionFlag,
  SessionPage,
  SessionSort,
  Travel,
} from '../../../src/contracts/sessions.ts';

export type { User, UserListItem, UserPage } from '../../../src/contracts/accounts.ts';
export type { Activity, ActivityDetails, DetailsObject, JsonValue } from '../../../src/contracts/activity.ts';
export type { ApiKey, ApiKeyScope, CreatedApiKey } from '../../../src/contracts/api-keys.ts';
export { API_KEY_SCOPES } from '../../../src/contracts/api-keys.ts';
export type { MfaStatus, TotpConfirmedAnswer, TotpEnrolmentAnswer } from '../../../src/contracts/mfa.ts';
export type { OnLimit, OrgPolicy, OrgPolicyUpdate } from '../../../src/contracts/org-policy.ts';
export type { SsoConfig, SsoConfigInput, SsoError, SsoTestResult } from '../../../src/contracts/sso.ts';
export type {
  CreateStream,
  Stream,
  StreamFormat,
  StreamState,
  StreamTestResult,
} from '../../../src/contracts/streams.ts';
export type { Role } from '../../../src/kernel/actor.ts';
export type { ErrorCode } from '../../../src/kernel/errors.ts';
export type {
  ActivityHistogram,
  ActivityPage,
  DeviceType,
  EndReason,
  Me,
  Period,
  Session,
  SessionDetail,
  SessionFilter,
  SessionFlag,
  SessionPage,
  SessionSort,
  SortOrder,
  Travel,
};
export type ActivitySort = SortKey;
/** Query parameters of GET /api/activities and /api/activities/export. */
export type ActivityQuery = ActivitySearchQuery;
/** Query parameters of GET /api/sessions; the server fills in what is left out (100 a page, by last access). */
export type SessionListQuery = Partial<ListSessionsParams>;
/** Query parameters of GET /api/users; the server fills in what is left out (100 a page). */
export type UserListQuery = Partial<ListUsersParams>;
