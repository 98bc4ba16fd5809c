import type { OrgTable, UserTable } from '../accounts/accounts.table.js';
import type { ApiKeyTable, SettingTable } from '../accounts/api-keys.table.js';
import type { PasswordGuessTable } from '../accounts/password-guesses.table.js';
import type {
  ActivityChainCheckpointTable,
  ActivityChainHeadTable,
  ActivityChainLinkTable,
  ActivityExportManifestTable,
  ActivityHourCountTable,
  ActivityNameTable,
  ActivityTable,
} from '../activity/activity.table.js';
import type { ActivityStreamTable } from '../activity/streams/streams.table.js';
import type { OrgPolicyTable } from '../sessions/policy/org-policy.table.js';
import type { SessionTable } from '../sessions/session.table.js';
import type { SessionEndingTable } from '../sessions/session-ending.table.js';
import type { MfaTokenTable, RecoveryCodeTable, TotpFactorTable } from '../signin/mfa/mfa.table.js';
import type {
  SsoConfigTable,
  SsoDomainTable,
  SsoIdentityTable,
  SsoLoginTable,
} from '../signin/sso/sso.table.js';

/** Every table, as Kysely sees it (camelCase; CamelCasePlugin maps to snake_case columns). */
export interface Schema {
  orgs: OrgTable;
  users: UserTable;
  sessions: SessionTable;
  loginFailures: PasswordGuessTable;
  activities: ActivityTable;
  activityChainHeads: ActivityChainHeadTable;
  activityChainLinks: ActivityChainLinkTable;
  activityChainCheckpoints: ActivityChainCheckpointTable;
  activityExportManifests: ActivityExportManifestTable;
  activityHourCounts: ActivityHourCountTable;
  activityNames: ActivityNameTable;
  activityStreams: ActivityStreamTable;
  apiKeys: ApiKeyTable;
  settings: SettingTable;
  orgPolicies: OrgPolicyTable;
  sessionEndings: SessionEndingTable;
  totpFactors: TotpFactorTable;
  recoveryCodes: RecoveryCodeTable;
  mfaTokens: MfaTokenTable;
  ssoConfigs: SsoConfigTable;
  ssoDomains: SsoDomainTable;
  ssoIdentities: SsoIdentityTable;
  ssoLogins: SsoLoginTable;
}
