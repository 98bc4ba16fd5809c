import { type ApiSession, apiLogin, createUser, ingest, orgIdOf } from './api.ts';
import { jobActivities } from './seed.ts';
import { insertSessions, type SessionSeed } from './seed-rows.ts';

/**
 * Browsers as they really introduce themselves: a User-Agent, and the client hints a Chromium-based
 * one sends (`metadata`: the same, for a browser tab to send them, see screenshots.e2e.ts).
 */
export const CLIENTS = {
  windowsChrome: {
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    hints: {
      'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"Windows"',
      'sec-ch-ua-platform-version': '"15.0.0"',
    },
    metadata: { platform: 'Windows', platformVersion: '15.0.0', brand: 'Google Chrome' },
  },
  windowsEdge: {
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    hints: {
      'sec-ch-ua': '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"Windows"',
      'sec-ch-ua-platform-version': '"10.0.0"',
    },
  },
  macChrome: {
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    hints: {
      'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"macOS"',
    },
    metadata: { platform: 'macOS', platformVersion: '14.6.1', brand: 'Google Chrome' },
  },
  macSafari: {
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    hints: {},
  },
  iphone: {
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    hints: {},
  },
  ipad: {
    userAgent:
      'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    hints: {},
  },
  pixel: {
    userAgent:
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    hints: {
      'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?1',
      'sec-ch-ua-platform': '"Android"',
      'sec-ch-ua-platform-version': '"15.0.0"',
      'sec-ch-ua-model': '"Pixel 8"',
    },
  },
  galaxy: {
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    hints: {},
  },
  ubuntuFirefox: {
    userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    hints: {},
  },
  windowsFirefox: {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    hints: {},
  },
} as const;
export type Client = (typeof CLIENTS)[keyof typeof CLIENTS];

/** Where people are: public addresses the bundled DB-IP database places in these cities. */
export const PLACES = {
  berlin: '85.214.132.117',
  madrid: '80.58.61.250',
  london: '212.58.244.20',
  paris: '80.67.169.12',
  amsterdam: '193.0.6.139',
  stockholm: '31.13.72.36',
  milan: '2.228.0.1',
  zurich: '130.59.31.248',
  newark: '13.107.42.14',
  toronto: '99.224.0.1',
  mumbai: '49.44.0.1',
  chennai: '182.79.0.1',
  tokyo: '133.242.0.3',
  taipei: '168.95.1.1',
  sydney: '1.1.1.1',
} as const;

export interface ScreenshotUser {
  id: string;
  username: string;
  password: string;
}

export interface ScreenshotOrg {
  admin: ApiSession;
  /** The user whose browser the screenshots log out. */
  maria: ScreenshotUser;
  /** A session flagged "impossible travel", with a timeline of its own. */
  flaggedSessionId: string;
}

const NAMES = [
  'maria.lopez',
  'chen.wei',
  'james.oconnor',
  'priya.sharma',
  'lukas.schmidt',
  'sofia.rossi',
  'aiko.tanaka',
  'olivia.brown',
  'noah.martin',
  'emma.johansson',
] as const;
type Name = (typeof NAMES)[number];

/**
 * A realistic org for the README: ten people on real browsers in real cities, their sessions
 * created over the last hours and used over the last half hour, two of them on the vault's other
 * apps; one login flagged as impossible travel (Berlin, then Toronto 84 minutes later) that then
 * exported the activity log twice; and a few hundred job activities.
 */
export async function seedScreenshotOrg(
  baseUrl: string,
  databasePath: string,
  admin: ApiSession,
): Promise<ScreenshotOrg> {
  const orgId = await orgIdOf(admin);
  const users = {} as Record<Name, ScreenshotUser>;
  for (const name of NAMES) users[name] = await createUser(admin, name, { exact: true });

  const at = (
    name: Name,
    client: Client,
    ip: string,
    createdMinutesAgo: number,
    usedMinutesAgo: number,
    extra: Partial<SessionSeed> = {},
  ): SessionSeed => ({
    orgId,
    userId: users[name].id,
    username: name,
    ip,
    userAgent: client.userAgent,
    hints: client.hints,
    createdMinutesAgo,
    usedMinutesAgo,
    ...extra,
  });
  await insertSessions(databasePath, [
    at('maria.lopez', CLIENTS.iphone, PLACES.madrid, 200, 16),
    at('chen.wei', CLIENTS.macSafari, PLACES.taipei, 95, 3),
    at('chen.wei', CLIENTS.ipad, PLACES.taipei, 410, 24),
    at('james.oconnor', CLIENTS.windowsEdge, PLACES.newark, 35, 1, { lastUsedOn: 'files.vault.example' }),
    at('priya.sharma', CLIENTS.pixel, PLACES.mumbai, 130, 6),
    at('priya.sharma', CLIENTS.windowsChrome, PLACES.chennai, 300, 11),
    at('lukas.schmidt', CLIENTS.ubuntuFirefox, PLACES.berlin, 84, 4, { lastUsedOn: 'restore.vault.example' }),
    at('sofia.rossi', CLIENTS.macChrome, PLACES.milan, 52, 9),
    at('aiko.tanaka', CLIENTS.windowsEdge, PLACES.tokyo, 260, 7),
    at('aiko.tanaka', CLIENTS.iphone, PLACES.tokyo, 500, 19),
    at('olivia.brown', CLIENTS.macSafari, PLACES.sydney, 620, 27),
    at('noah.martin', CLIENTS.windowsFirefox, PLACES.paris, 145, 5),
    at('noah.martin', CLIENTS.galaxy, PLACES.paris, 12, 12, { flags: ['new_device'] }),
    at('emma.johansson', CLIENTS.macChrome, PLACES.stockholm, 75, 8),
  ]);

  // Lukas in Berlin 84 minutes ago, and "Lukas" on another computer in Toronto now, exporting the
  // log: the login's risk check flags it (new device, new country, impossible travel).
  const lukas = users['lukas.schmidt'];
  const toronto = await apiLogin(baseUrl, lukas.username, lukas.password, {
    userAgent: CLIENTS.windowsChrome.userAgent,
    ip: PLACES.toronto,
  });
  for (const period of ['1y', '6m']) {
    const response = await fetch(`${baseUrl}/api/activities/export?period=${period}&format=csv`, {
      headers: { cookie: toronto.cookie, 'x-forwarded-for': PLACES.toronto },
    });
    await response.text();
  }
  await ingest(baseUrl, admin, jobActivities(['admin', ...NAMES.slice(0, 6)], 240));
  return { admin, maria: users['maria.lopez'], flaggedSessionId: toronto.sessionId };
}
