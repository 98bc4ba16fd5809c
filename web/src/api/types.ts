/** Shapes of the HTTP API (see /api/openapi.json); kept by hand because the UI uses only a few. */

export type Role = 'admin' | 'user';

export interface User {
  id: string;
  orgId: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface Session {
  id: string;
  userId: string;
  username: string;
  publicIp: string;
  city: string | null;
  location: string;
  countryCode: string | null;
  latitude: number | null;
  longitude: number | null;
  deviceType: string;
  os: string;
  browser: string;
  createdAt: string;
  lastAccessAt: string;
  current: boolean;
}

export interface Me {
  user: User;
  session: Session;
}

export type EndReason = 'terminated' | 'logout' | 'password_changed' | 'user_disabled' | 'expired';

export interface Activity {
  id: string;
  occurredAt: string;
  userId: string | null;
  username: string;
  activity: string;
  status: string;
  target: string | null;
  details: string | null;
  publicIp: string | null;
  sessionId: string | null;
  /** Who wrote an ingested event (`api_key <prefix> <name>` or `admin <username>`); null for the product's own. */
  source: string | null;
}

export type Period = '1d' | '7d' | '1m' | '6m' | '1y';
export type ActivitySort = 'occurredAt' | 'username' | 'activity';
export type SortOrder = 'asc' | 'desc';

/** Query parameters of GET /api/activities and /api/activities/export. */
export interface ActivityQuery {
  period?: Period;
  from?: string;
  to?: string;
  userId?: string;
  activity?: string[];
  q?: string;
  sort?: ActivitySort;
  order?: SortOrder;
  limit?: number;
  cursor?: string;
}

export interface ActivityPage {
  items: Activity[];
  nextCursor: string | null;
  total: number;
  totalCapped: boolean;
}
