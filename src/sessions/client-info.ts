import UAParser from 'ua-parser-js';
import type { DeviceType } from '../contracts/sessions.js';

export type { DeviceType };

/** Human-readable description of the client behind a request; every field is "Unknown" when nothing is known. */
export interface ClientInfo {
  deviceType: DeviceType;
  os: string;
  browser: string;
}

/** Request headers keyed by lowercase name, as in Node's IncomingHttpHeaders. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** User-Agent Client Hints to ask for with `Accept-CH` so later requests describe the client precisely. */
export const CLIENT_HINT_HEADERS: string[] = [
  'Sec-CH-UA-Platform-Version',
  'Sec-CH-UA-Full-Version-List',
  'Sec-CH-UA-Model',
  'Sec-CH-UA-Mobile',
  'Sec-CH-UA-Platform',
];

const UNKNOWN = 'Unknown';
const MAX_LABEL = 100;
// Headers are attacker-controlled; bounding what the regexes below see keeps parsing cost constant.
export const MAX_HEADER = 1024;

// Maps rather than object literals: keys come from request headers, and "constructor" must not resolve.
const DEVICE_TYPES = new Map<string | undefined, DeviceType>([
  ['mobile', 'Mobile'],
  ['tablet', 'Tablet'],
  ['smarttv', 'Smart TV'],
  ['console', 'Console'],
  ['wearable', 'Wearable'],
  ['embedded', 'Embedded'],
]);

// ua-parser reports "no device type" for desktops and for anything it does not recognise, so Desktop is
// only inferred when the OS is one that runs on desktops and laptops.
const DESKTOP_OS =
  /^(windows|mac ?os|chrom(e|ium) ?os|linux|[a-z]*ubuntu|debian|fedora|mint|arch|manjaro|gentoo|slackware|(open)?suse|centos|red ?hat|mageia|mandriva|vectorlinux|elementary os|deepin|pclinuxos|zenwalk|linpus|raspbian|sabayon|knoppix|(free|open|net|pc-)bsd|dragonfly|solaris|unix|haiku|gnu|hurd|aix|hp-ux)$/i;

// "Cubot" is a phone brand, not a crawler.
const BOT = /(?<!cu)bot\b|crawler|spider|slurp|facebookexternalhit|mediapartners-google|feedfetcher/i;
const BOT_NAME = /([a-z][\w.-]*?(?:bot|crawler|spider|slurp|facebookexternalhit)[\w-]*)(?:\/(\d[\d.]*))?/i;
// Scripts and HTTP libraries are not crawlers, so they stay 'Unknown' devices but still name the tool.
const TOOL =
  /^(curl|wget|httpie|python-requests|python-urllib|python-httpx|aiohttp|node-fetch|undici|axios|got|okhttp|go-http-client|java|apache-httpclient|postmanruntime|insomnia|libwww-perl|guzzlehttp|dart|deno|bun|ruby|faraday)(?:\/(\d[\d.]*))?/i;

// Chromium's GREASE brands ("Not A(Brand", "Not_A Brand", "Not/A)Brand", ...) exist only to break sniffers.
const GREASE_BRAND = /not.{0,2}a.{0,2}brand/i;
const GENERIC_BRANDS = new Set(['Chromium', 'Google Chrome']);
const GENERIC_UA_BROWSERS = new Set(['Chromium', 'Chrome']);
const BRAND_LABELS = new Map([
  ['Google Chrome', 'Chrome'],
  ['Microsoft Edge', 'Edge'],
  ['YaBrowser', 'Yandex'],
  ['HeadlessChrome', 'Chrome Headless'],
  ['Android WebView', 'Chrome WebView'],
]);
const BRAND_ITEM = /"((?:[^"\\]|\\.){0,200})"\s*;\s*v\s*=\s*"((?:[^"\\]|\\.){0,50})"/g;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text?.slice(0, MAX_HEADER);
}

function clip(label: string): string {
  // Labels end up in HTML, logs and CSV exports; control characters have no business there.
  const clean = label.replace(/\p{Cc}/gu, '').trim();
  return clean === '' ? UNKNOWN : clean.slice(0, MAX_LABEL);
}

function join(name: string, version: string | undefined): string {
  return version ? `${name} ${version}` : name;
}

function shortVersion(version: string | undefined, parts: number): string | undefined {
  const numeric = /^\d+(?:\.\d+)*/.exec(version ?? '');
  return numeric ? numeric[0].split('.').slice(0, parts).join('.') : undefined;
}

/** Unquotes an sf-string hint; a bare token is accepted because some proxies strip the quotes. */
function sfString(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(text);
  const value = quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : text;
  return value === '' ? undefined : value;
}

function sfBoolean(raw: string | undefined): boolean | undefined {
  const text = raw?.trim();
  return text === '?1' ? true : text === '?0' ? false : undefined;
}

interface Brand {
  name: string;
  version: string | undefined;
  specific: boolean;
}

function brandFromHints(headers: HeaderBag): Brand | undefined {
  // The full list carries real versions; plain sec-ch-ua is sent by default and still has the major.
  const list = header(headers, 'sec-ch-ua-full-version-list') || header(headers, 'sec-ch-ua');
  if (!list) return undefined;
  let generic: Brand | undefined;
  for (const [, rawName = '', rawVersion] of list.matchAll(BRAND_ITEM)) {
    const name = rawName.replace(/\\(.)/g, '$1').trim();
    if (name === '' || GREASE_BRAND.test(name)) continue;
    const brand = { name: BRAND_LABELS.get(name) ?? name, version: shortVersion(rawVersion, 1) };
    if (!GENERIC_BRANDS.has(name)) return { ...brand, specific: true };
    // "Google Chrome" says more than the "Chromium" every Chromium fork also lists.
    if (!generic || name === 'Google Chrome') generic = { ...brand, specific: false };
  }
  return generic;
}

function browserFromUa(name: string | undefined, version: string | undefined): Brand | undefined {
  if (!name) return undefined;
  const label = name.replace(/^Mobile /, '');
  // Safari ships features in minor releases (17.2, 17.4); Chromium and Gecko versions are just counters.
  return { name: label, version: shortVersion(version, label === 'Safari' ? 2 : 1), specific: true };
}

function osFromUa(result: UAParser.IResult): string | undefined {
  const { name, version } = result.os;
  if (!name) return undefined;
  switch (name) {
    case 'Windows':
      return join('Windows', version);
    // Every current macOS browser freezes the UA at 10.15(.7), so its version says nothing.
    case 'Mac OS':
      return 'macOS';
    case 'Chromium OS':
      return 'Chrome OS';
    case 'iOS': {
      const short = shortVersion(version, 2);
      const ipadOs = result.device.model === 'iPad' && Number.parseInt(short ?? '', 10) >= 13;
      return join(ipadOs ? 'iPadOS' : 'iOS', short);
    }
    // Chrome's reduced UA ("Android 10; K") pins the version at 10 whatever the device runs.
    case 'Android':
      return join('Android', result.device.model === 'K' ? undefined : shortVersion(version, 1));
    default:
      // Linux flavours report CPU architectures and build ids as "versions"; only numbers are worth showing.
      return DESKTOP_OS.test(name) || !/^\d/.test(version ?? '') ? name : join(name, version);
  }
}

function osFromHints(
  platform: string,
  rawVersion: string | undefined,
  uaOs: string | undefined,
): string | undefined {
  const version = sfString(rawVersion);
  switch (platform.toLowerCase()) {
    case 'windows': {
      // Microsoft's mapping: platform version 0 = Windows 7/8/8.1 (the UA tells which), 1-12 = 10, 13+ = 11.
      const major = Number.parseInt(version ?? '', 10);
      if (major >= 13) return 'Windows 11';
      if (major >= 1) return 'Windows 10';
      return uaOs?.startsWith('Windows') ? uaOs : 'Windows';
    }
    case 'macos':
      return join('macOS', shortVersion(version, 2));
    case 'android':
      return version || !uaOs?.startsWith('Android') ? join('Android', shortVersion(version, 1)) : uaOs;
    case 'ios':
      return version || !uaOs?.startsWith('iOS') ? join('iOS', shortVersion(version, 2)) : uaOs;
    case 'chrome os':
    case 'chromium os':
      return 'Chrome OS';
    case 'linux':
      // The UA often names the distribution, which the hint does not.
      return uaOs && DESKTOP_OS.test(uaOs) ? uaOs : 'Linux';
    default:
      return undefined;
  }
}

/** The reduced UA hides the model; ua-parser's model tables still tell a Galaxy Tab from a Pixel. */
function deviceFromModel(model: string, mobile: boolean | undefined): DeviceType | undefined {
  const safeModel = model.replace(/[^\w .+-]/g, '').slice(0, 64);
  if (safeModel === '') return undefined;
  const probe = `Mozilla/5.0 (Linux; Android 14; ${safeModel}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0${mobile ? ' Mobile' : ''} Safari/537.36`;
  return DEVICE_TYPES.get(UAParser(probe).device.type);
}

function parseBotOrTool(ua: string): ClientInfo | undefined {
  const tool = TOOL.exec(ua);
  if (tool) {
    return {
      deviceType: 'Unknown',
      os: UNKNOWN,
      browser: clip(join(tool[1] ?? '', shortVersion(tool[2], 2))),
    };
  }
  if (!BOT.test(ua)) return undefined;
  const bot = BOT_NAME.exec(ua);
  const browser = bot ? clip(join(bot[1] ?? '', shortVersion(bot[2], 2))) : UNKNOWN;
  // A crawler's OS and device claims are borrowed from whatever browser it imitates.
  return { deviceType: 'Bot', os: UNKNOWN, browser };
}

/** Describes the client from its User-Agent, refined by User-Agent Client Hints when the browser sent them. */
export function parseClientInfo(headers: HeaderBag): ClientInfo {
  const ua = header(headers, 'user-agent')?.trim() ?? '';
  if (ua === '') return { deviceType: 'Unknown', os: UNKNOWN, browser: UNKNOWN };
  const special = parseBotOrTool(ua);
  if (special) return special;

  const result = UAParser(ua);
  const uaOs = osFromUa(result);
  const platform = sfString(header(headers, 'sec-ch-ua-platform'));
  const hintedOs = platform && osFromHints(platform, header(headers, 'sec-ch-ua-platform-version'), uaOs);
  const os = hintedOs || uaOs;
  const osName = (hintedOs ? platform : result.os.name) ?? '';

  const uaBrowser = browserFromUa(result.browser.name, result.browser.version);
  const hinted = brandFromHints(headers);
  // A generic hint brand ("Google Chrome") must not hide what the UA knows (Vivaldi, Yandex, ...).
  const useHint = hinted && (hinted.specific || !uaBrowser || GENERIC_UA_BROWSERS.has(uaBrowser.name));
  const browser = useHint ? hinted : uaBrowser;

  const mobile = sfBoolean(header(headers, 'sec-ch-ua-mobile'));
  const model = sfString(header(headers, 'sec-ch-ua-model'));
  let deviceType = DEVICE_TYPES.get(result.device.type);
  const modelType = model && /^android$/i.test(osName) ? deviceFromModel(model, mobile) : undefined;
  if (modelType) deviceType = modelType;
  else if (!deviceType && mobile) deviceType = 'Mobile';

  return {
    deviceType: deviceType ?? (DESKTOP_OS.test(osName) ? 'Desktop' : 'Unknown'),
    os: clip(os ?? UNKNOWN),
    browser: clip(browser ? join(browser.name, browser.version) : UNKNOWN),
  };
}

/** The version at the end of a label: "Chrome 131" → "Chrome", "macOS 10.15.7" → "macOS". */
const TRAILING_VERSION = /\s+v?\d[\w.]*$/i;

const MAX_HINTS = 16;

/** A browser or OS label as the list's filters compare it: without its version, lower-cased. */
export function nameWithoutVersion(label: string): string {
  return label.trim().replace(TRAILING_VERSION, '').toLowerCase();
}

/** The client-hint headers of a login, by lower-case name, bounded; null when none came. */
export function clientHintsOf(headers: HeaderBag): Record<string, string> | null {
  const hints: Record<string, string> = {};
  let count = 0;
  // A client sends the hints it likes: a bounded number of bounded values is kept.
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('sec-ch-ua') || name.length > 64 || count === MAX_HINTS) continue;
    const value = header(headers, name);
    if (value === undefined) continue;
    hints[name] = value.replace(/\p{Cc}/gu, '').slice(0, 256);
    count++;
  }
  return count > 0 ? hints : null;
}
