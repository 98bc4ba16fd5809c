import { describe, expect, it } from 'vitest';
import {
  CLIENT_HINT_HEADERS,
  type ClientInfo,
  MAX_HEADER as HEADER_CAP,
  type HeaderBag,
  parseClientInfo,
} from './client-info.js';

/** The fastest of several rounds: a pause on a busy machine hits one round, rarely all. */
const ROUNDS = 7;
const PARSES_PER_ROUND = 20;

const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2.1 Safari/605.1.15';
const CHROME_ANDROID_REDUCED =
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

// Real User-Agent strings as sent by the named clients.
const cases: Array<[string, string, ClientInfo]> = [
  ['Chrome on Windows 10', CHROME_WIN, { deviceType: 'Desktop', os: 'Windows 10', browser: 'Chrome 120' }],
  [
    'Edge on Windows 10',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    { deviceType: 'Desktop', os: 'Windows 10', browser: 'Edge 120' },
  ],
  [
    'Firefox on Windows 10',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
    { deviceType: 'Desktop', os: 'Windows 10', browser: 'Firefox 121' },
  ],
  [
    'IE 11 on Windows 7',
    'Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko',
    { deviceType: 'Desktop', os: 'Windows 7', browser: 'IE 11' },
  ],
  ['Safari on macOS', SAFARI_MAC, { deviceType: 'Desktop', os: 'macOS', browser: 'Safari 17.2' }],
  [
    'Chrome on macOS',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { deviceType: 'Desktop', os: 'macOS', browser: 'Chrome 120' },
  ],
  [
    'Safari on iPhone',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    { deviceType: 'Mobile', os: 'iOS 17.4', browser: 'Safari 17.4' },
  ],
  [
    'Chrome on iPhone',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
    { deviceType: 'Mobile', os: 'iOS 17.2', browser: 'Chrome 120' },
  ],
  [
    'Safari on iPad',
    'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
    { deviceType: 'Tablet', os: 'iPadOS 16.6', browser: 'Safari 16.6' },
  ],
  [
    // The reduced UA freezes "Android 10; K", so the real version is unknown without hints.
    'Chrome on Android phone (reduced UA)',
    CHROME_ANDROID_REDUCED,
    { deviceType: 'Mobile', os: 'Android', browser: 'Chrome 120' },
  ],
  [
    'Chrome on Pixel 8',
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
    { deviceType: 'Mobile', os: 'Android 14', browser: 'Chrome 120' },
  ],
  [
    'Samsung Internet on Galaxy S23 Ultra',
    'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    { deviceType: 'Mobile', os: 'Android 13', browser: 'Samsung Internet 23' },
  ],
  [
    'Chrome on Galaxy Tab S9',
    'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Safari/537.36',
    { deviceType: 'Tablet', os: 'Android 13', browser: 'Chrome 120' },
  ],
  [
    'Firefox on Android',
    'Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0',
    { deviceType: 'Mobile', os: 'Android 14', browser: 'Firefox 121' },
  ],
  [
    'Firefox on Ubuntu',
    'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    { deviceType: 'Desktop', os: 'Ubuntu', browser: 'Firefox 121' },
  ],
  [
    'Firefox on Linux',
    'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    { deviceType: 'Desktop', os: 'Linux', browser: 'Firefox 121' },
  ],
  [
    'Chrome on Chrome OS',
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { deviceType: 'Desktop', os: 'Chrome OS', browser: 'Chrome 120' },
  ],
  [
    'Opera on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0',
    { deviceType: 'Desktop', os: 'Windows 10', browser: 'Opera 106' },
  ],
  [
    'Vivaldi on Windows',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Vivaldi/6.5.3206.48',
    { deviceType: 'Desktop', os: 'Windows 10', browser: 'Vivaldi 6' },
  ],
  [
    'Xbox One',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edge/44.18363.8131',
    { deviceType: 'Console', os: 'Xbox', browser: 'Edge 44' },
  ],
  [
    'Samsung Tizen TV',
    'Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36',
    { deviceType: 'Smart TV', os: 'Tizen 6.0', browser: 'Safari' },
  ],
  [
    'Galaxy Watch WebView',
    'Mozilla/5.0 (Linux; Android 11; SM-R860 Build/RP1A.200720.012; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.135 Mobile Safari/537.36',
    { deviceType: 'Wearable', os: 'Android 11', browser: 'Chrome WebView 112' },
  ],
  [
    'Cubot phone is not a bot',
    'Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    { deviceType: 'Mobile', os: 'Android 9', browser: 'Chrome 120' },
  ],
  [
    'Googlebot',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    { deviceType: 'Bot', os: 'Unknown', browser: 'Googlebot 2.1' },
  ],
  [
    'Googlebot smartphone',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.216 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    { deviceType: 'Bot', os: 'Unknown', browser: 'Googlebot 2.1' },
  ],
  [
    'bingbot',
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
    { deviceType: 'Bot', os: 'Unknown', browser: 'bingbot 2.0' },
  ],
  ['curl', 'curl/8.5.0', { deviceType: 'Unknown', os: 'Unknown', browser: 'curl 8.5' }],
  ['Wget', 'Wget/1.21.4', { deviceType: 'Unknown', os: 'Unknown', browser: 'Wget 1.21' }],
  [
    'python-requests',
    'python-requests/2.31.0',
    { deviceType: 'Unknown', os: 'Unknown', browser: 'python-requests 2.31' },
  ],
  ['undici (Node fetch)', 'undici', { deviceType: 'Unknown', os: 'Unknown', browser: 'undici' }],
  ['empty UA', '', { deviceType: 'Unknown', os: 'Unknown', browser: 'Unknown' }],
  ['whitespace UA', '   ', { deviceType: 'Unknown', os: 'Unknown', browser: 'Unknown' }],
  [
    'garbage UA',
    'asdf;;;((( not a browser )))',
    { deviceType: 'Unknown', os: 'Unknown', browser: 'Unknown' },
  ],
];

describe('parseClientInfo from the User-Agent', () => {
  it.each(cases)('%s', (_name, ua, expected) => {
    expect(parseClientInfo({ 'user-agent': ua })).toEqual(expected);
  });

  it('treats a missing User-Agent as unknown', () => {
    expect(parseClientInfo({})).toEqual({ deviceType: 'Unknown', os: 'Unknown', browser: 'Unknown' });
  });

  it('caps every label at 100 characters and strips control characters', () => {
    const info = parseClientInfo({
      'user-agent': CHROME_WIN,
      'sec-ch-ua': `"\u0007${'X'.repeat(150)}";v="1"`,
    });
    expect(info.browser).toBe('X'.repeat(100));
  });
});

describe('parseClientInfo with User-Agent Client Hints', () => {
  const edgeHints: HeaderBag = {
    'user-agent': CHROME_WIN,
    'sec-ch-ua': '"Not_A Brand";v="8", "Chromium";v="120", "Microsoft Edge";v="120"',
    'sec-ch-ua-full-version-list':
      '"Not_A Brand";v="8.0.0.0", "Chromium";v="120.0.6099.130", "Microsoft Edge";v="120.0.2210.91"',
    'sec-ch-ua-mobile': '?0',
    'sec-ch-ua-platform': '"Windows"',
  };

  it('reports Windows 11 for platform version 15.0.0', () => {
    const info = parseClientInfo({ ...edgeHints, 'sec-ch-ua-platform-version': '"15.0.0"' });
    expect(info).toEqual({ deviceType: 'Desktop', os: 'Windows 11', browser: 'Edge 120' });
  });

  it('reports Windows 11 from platform version 13 upward', () => {
    const info = parseClientInfo({ ...edgeHints, 'sec-ch-ua-platform-version': '"13.0.0"' });
    expect(info.os).toBe('Windows 11');
  });

  it('reports Windows 10 for platform version 10.0.0', () => {
    const info = parseClientInfo({ ...edgeHints, 'sec-ch-ua-platform-version': '"10.0.0"' });
    expect(info.os).toBe('Windows 10');
  });

  it('keeps the UA version for pre-Windows-10 (platform version 0)', () => {
    const info = parseClientInfo({
      'user-agent': CHROME_WIN.replace('Windows NT 10.0', 'Windows NT 6.3'),
      'sec-ch-ua-platform': '"Windows"',
      'sec-ch-ua-platform-version': '"0.3.0"',
    });
    expect(info.os).toBe('Windows 8.1');
  });

  it('names Edge from the full version list even though the UA looks like Chrome', () => {
    expect(parseClientInfo(edgeHints).browser).toBe('Edge 120');
  });

  it('falls back to sec-ch-ua brands when there is no full version list', () => {
    const info = parseClientInfo({
      'user-agent': CHROME_WIN,
      'sec-ch-ua': '"Chromium";v="120", "Brave";v="120", "Not=A?Brand";v="24"',
    });
    expect(info.browser).toBe('Brave 120');
  });

  it('prefers Google Chrome over Chromium and ignores GREASE brands', () => {
    const info = parseClientInfo({
      'user-agent': CHROME_WIN,
      'sec-ch-ua-full-version-list':
        '"Not A(Brand";v="99.0.0.0", "Chromium";v="121.0.6167.85", "Google Chrome";v="121.0.6167.85"',
    });
    expect(info.browser).toBe('Chrome 121');
  });

  it('does not let a generic Chromium brand hide a browser the UA names', () => {
    const info = parseClientInfo({
      'user-agent': `${CHROME_WIN} Vivaldi/6.5.3206.48`,
      'sec-ch-ua': '"Not_A Brand";v="8", "Chromium";v="120"',
    });
    expect(info.browser).toBe('Vivaldi 6');
  });

  it('takes the Opera brand', () => {
    const info = parseClientInfo({
      'user-agent': `${CHROME_WIN} OPR/106.0.0.0`,
      'sec-ch-ua-full-version-list':
        '"Not_A Brand";v="8.0.0.0", "Chromium";v="120.0.6099.199", "Opera";v="106.0.4998.41"',
    });
    expect(info.browser).toBe('Opera 106');
  });

  it('reads the real macOS version, which the UA freezes at 10.15.7', () => {
    const info = parseClientInfo({
      'user-agent':
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'sec-ch-ua-platform': '"macOS"',
      'sec-ch-ua-platform-version': '"14.5.0"',
      'sec-ch-ua-full-version-list': '"Google Chrome";v="120.0.6099.129", "Chromium";v="120.0.6099.129"',
    });
    expect(info).toEqual({ deviceType: 'Desktop', os: 'macOS 14.5', browser: 'Chrome 120' });
  });

  it('reads the real Android version and mobile flag behind the reduced UA', () => {
    const info = parseClientInfo({
      'user-agent': CHROME_ANDROID_REDUCED,
      'sec-ch-ua-platform': '"Android"',
      'sec-ch-ua-platform-version': '"14.0.0"',
      'sec-ch-ua-mobile': '?1',
      'sec-ch-ua-model': '"Pixel 8"',
    });
    expect(info).toEqual({ deviceType: 'Mobile', os: 'Android 14', browser: 'Chrome 120' });
  });

  it('recognises a tablet from its model when Chrome asks for the desktop site', () => {
    const info = parseClientInfo({
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'sec-ch-ua-platform': '"Android"',
      'sec-ch-ua-platform-version': '"13.0.0"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-model': '"SM-X700"',
    });
    expect(info).toEqual({ deviceType: 'Tablet', os: 'Android 13', browser: 'Chrome 120' });
  });

  it('marks a client Mobile when sec-ch-ua-mobile is ?1 and the UA says nothing', () => {
    const info = parseClientInfo({
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'sec-ch-ua-platform': '"Android"',
      'sec-ch-ua-mobile': '?1',
    });
    expect(info.deviceType).toBe('Mobile');
    expect(info.os).toBe('Android');
  });

  it('accepts unquoted hint tokens and repeated header lines', () => {
    const info = parseClientInfo({
      'user-agent': CHROME_WIN,
      'sec-ch-ua-platform': 'Windows',
      'sec-ch-ua-platform-version': '15.0.0',
      'sec-ch-ua-full-version-list': ['"Not_A Brand";v="8.0.0.0"', '"Microsoft Edge";v="120.0.2210.91"'],
    });
    expect(info).toEqual({ deviceType: 'Desktop', os: 'Windows 11', browser: 'Edge 120' });
  });

  it.each<[string, HeaderBag]>([
    ['unterminated quotes', { 'sec-ch-ua-platform': '"Windows', 'sec-ch-ua': '"Chromium;v="120' }],
    ['empty values', { 'sec-ch-ua-platform': '', 'sec-ch-ua-platform-version': '""', 'sec-ch-ua': '' }],
    [
      'nonsense',
      { 'sec-ch-ua-platform-version': '";;;', 'sec-ch-ua-mobile': '?2', 'sec-ch-ua-model': '")(;' },
    ],
    ['non-numeric version', { 'sec-ch-ua-platform': '"Windows"', 'sec-ch-ua-platform-version': '"abc"' }],
    ['stray escapes', { 'sec-ch-ua-full-version-list': ['x', '"\\', '"a\\"b";v="1\\'] }],
    ['empty arrays', { 'sec-ch-ua': [], 'sec-ch-ua-platform': [] }],
    ['huge header', { 'sec-ch-ua': `"${'a'.repeat(100_000)}`, 'sec-ch-ua-platform': '"'.repeat(50_000) }],
    ['unknown platform', { 'sec-ch-ua-platform': '"Unknown"', 'sec-ch-ua-platform-version': '"1.2.3"' }],
  ])('survives malformed hints (%s) and falls back to the UA', (_name, hints) => {
    const info = parseClientInfo({ 'user-agent': CHROME_WIN, ...hints });
    expect(info).toEqual({ deviceType: 'Desktop', os: 'Windows 10', browser: 'Chrome 120' });
  });

  it.each(['constructor', '__proto__', 'toString'])('treats a %s brand as a plain name', (brand) => {
    const info = parseClientInfo({ 'user-agent': CHROME_WIN, 'sec-ch-ua': `"${brand}";v="1"` });
    expect(info.browser).toBe(`${brand} 1`);
  });

  // A ratio within one run, not a duration: a header far past the cap must cost about what the
  // capped part costs. Without the cap, parsing would grow with the input (and a backtracking
  // pattern, with its square).
  it.each([
    ['letters', (n: number) => 'a'.repeat(n)],
    ['a bot suffix', (n: number) => `${'a'.repeat(n)}bot`],
    ['quotes', (n: number) => '"'.repeat(n)],
    ['escaped quotes', (n: number) => `"${'\\"'.repeat(n / 2)}`],
  ])('parses a huge header of %s no slower than one at the length cap', (_name, junk) => {
    const parseAll = (text: string) =>
      parseClientInfo({
        'user-agent': text,
        'sec-ch-ua': text,
        'sec-ch-ua-full-version-list': text,
        'sec-ch-ua-platform': text,
        'sec-ch-ua-model': text,
      });
    const fastest = (text: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        for (let i = 0; i < PARSES_PER_ROUND; i++) parseAll(text);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const atCap = junk(HEADER_CAP);
    const huge = junk(HEADER_CAP * 50);
    fastest(atCap); // warm up the parser and the JIT
    expect(fastest(huge)).toBeLessThan(5 * fastest(atCap));
  });

  it('ignores hints when there is no User-Agent at all', () => {
    const info = parseClientInfo({ 'sec-ch-ua-platform': '"Windows"', 'sec-ch-ua-mobile': '?1' });
    expect(info).toEqual({ deviceType: 'Unknown', os: 'Unknown', browser: 'Unknown' });
  });
});

describe('CLIENT_HINT_HEADERS', () => {
  it('lists the hints to request with Accept-CH', () => {
    expect(CLIENT_HINT_HEADERS).toEqual([
      'Sec-CH-UA-Platform-Version',
      'Sec-CH-UA-Full-Version-List',
      'Sec-CH-UA-Model',
      'Sec-CH-UA-Mobile',
      'Sec-CH-UA-Platform',
    ]);
  });
});
