import type { DeviceType, SessionFilter, SessionFlag, SessionSort, SortOrder } from '../../api/types.ts';

/** What Session Information shows, exactly as the page's URL writes it (so a link can be shared). */
export interface SessionView {
  filter: SessionFilter;
  sort: SessionSort;
  order: SortOrder;
}

/** Each sort's natural direction, as the server's default: newest first, names A to Z. */
const DEFAULT_ORDER: Record<SessionSort, SortOrder> = {
  lastAccessAt: 'desc',
  createdAt: 'desc',
  username: 'asc',
  country: 'asc',
};

export const DEFAULT_SORT: SessionSort = 'lastAccessAt';

/** A label per flag: a flag the server adds fails to compile here until it is named. */
export const FLAG_LABELS: Record<SessionFlag, string> = {
  new_device: 'New device',
  new_country: 'New country',
  impossible_travel: 'Impossible travel',
};

/** The device classes the server knows: one it adds fails to compile here until listed. */
const DEVICES: Record<DeviceType, true> = {
  Desktop: true,
  Mobile: true,
  Tablet: true,
  'Smart TV': true,
  Console: true,
  Wearable: true,
  Embedded: true,
  Bot: true,
  Unknown: true,
};
export const DEVICE_TYPES = Object.keys(DEVICES) as DeviceType[];

/** The filter's keys in the order the controls show them; one the contract adds must be listed. */
const FILTER_KEYS: Record<keyof SessionFilter, true> = {
  userId: true,
  username: true,
  country: true,
  deviceType: true,
  os: true,
  browser: true,
  q: true,
  flag: true,
};
export const SESSION_FILTER_KEYS = Object.keys(FILTER_KEYS) as Array<keyof SessionFilter>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTRY = /^[A-Za-z]{2}$/;
/** The API's limit for the free-text values (src/contracts/sessions.ts). */
const MAX_TEXT = 100;

const isFlag = (value: string): value is SessionFlag => Object.hasOwn(FLAG_LABELS, value);
const isSort = (value: string): value is SessionSort => Object.hasOwn(DEFAULT_ORDER, value);

/** The natural direction of a sort: what a first click on its header asks for. */
export const defaultOrder = (sort: SessionSort): SortOrder => DEFAULT_ORDER[sort];

/**
 * Reads the view from the URL's query. Anything the API would refuse (a malformed id, an unknown
 * flag) is left out rather than shown as an error page; `user=` is the older name of `userId=`.
 */
export function viewFromSearch(search: URLSearchParams): SessionView {
  const filter: SessionFilter = {};
  const text = (key: string) => {
    const value = search.get(key)?.trim().slice(0, MAX_TEXT).trim() ?? '';
    return value === '' ? undefined : value;
  };
  const userId = text('userId') ?? text('user');
  if (userId && UUID.test(userId)) filter.userId = userId.toLowerCase();
  const username = text('username');
  if (username) filter.username = username;
  const country = text('country');
  if (country && COUNTRY.test(country)) filter.country = country.toUpperCase();
  // The server knows its device classes only (case-insensitive); the page writes them as it shows them.
  const device = text('deviceType')?.toLowerCase();
  const deviceType = DEVICE_TYPES.find((type) => type.toLowerCase() === device);
  if (deviceType) filter.deviceType = deviceType;
  for (const key of ['os', 'browser', 'q'] as const) {
    const value = text(key);
    if (value) filter[key] = value;
  }
  const flag = text('flag');
  if (flag && isFlag(flag)) filter.flag = flag;

  const sortValue = search.get('sort') ?? '';
  const sort = isSort(sortValue) ? sortValue : DEFAULT_SORT;
  const orderValue = search.get('order');
  const order = orderValue === 'asc' || orderValue === 'desc' ? orderValue : defaultOrder(sort);
  return { filter, sort, order };
}

/** The page URL's query for a view; defaults are left out so links stay short. */
export function viewToSearch(view: SessionView): string {
  const params = new URLSearchParams();
  for (const key of SESSION_FILTER_KEYS) {
    const value = view.filter[key]?.trim();
    if (value) params.set(key, value);
  }
  if (view.sort !== DEFAULT_SORT || view.order !== defaultOrder(view.sort)) {
    params.set('sort', view.sort);
    params.set('order', view.order);
  }
  return params.toString();
}

/** Whether the filter narrows the list at all: a Logout by filter needs at least one key. */
export const hasFilter = (filter: SessionFilter): boolean =>
  SESSION_FILTER_KEYS.some((key) => filter[key] !== undefined && filter[key] !== '');
