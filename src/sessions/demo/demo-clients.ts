import type { HeaderBag } from '../client-info.js';

/**
 * Public addresses of well-known networks (DNS resolvers, root servers, universities, ISPs) that
 * the bundled DB-IP database places in 40-odd countries: where the demo's crowd logs in from. The
 * first seven are the demo's own. Each is located once per run.
 */
export const DEMO_IPS: readonly string[] = `
  8.8.8.8 81.2.69.142 2a02:908::1 94.142.241.111 1.1.1.1 185.60.216.35 203.208.60.1
  9.9.9.9 208.67.222.222 156.154.70.1 64.6.64.6 129.250.35.250 185.228.168.9 24.113.32.30
  2400:cb00:2048:1::c629:d7a2 142.103.1.1 128.100.100.128 64.59.144.16 2001:4860:4860::8888
  201.148.95.234 200.88.127.22 190.93.189.28 196.3.132.1 200.160.0.10 189.38.95.95 200.221.11.100
  2001:12ff:0:4::6 200.40.30.245 200.45.191.35 181.30.0.1
  193.0.14.129 80.80.80.80 2001:67c:2e8:22::c100:68b 84.200.69.80 213.133.98.98 78.46.0.1
  5.1.66.255 195.46.39.39 2a00:1450:4001:81c::200e 212.27.40.240 194.2.0.20 193.190.198.2
  62.40.32.1 195.186.1.111 130.59.31.248 62.2.17.60 129.27.2.210 193.170.0.1 193.205.0.1
  151.1.1.1 80.58.61.250 212.166.64.1 91.239.100.100 89.233.43.71 192.36.148.17 194.204.159.1
  195.113.144.194 147.231.1.1 81.19.0.1 94.140.14.14 77.88.8.8 195.175.39.39 88.255.96.196
  213.42.20.20 212.77.192.59 217.218.127.127 37.32.0.1 41.231.53.2 41.203.18.183 197.242.150.1
  196.200.1.1 105.235.209.1 49.44.0.1 117.239.53.1 202.134.0.155 203.113.131.1 203.144.207.29
  165.21.83.88 203.80.96.10 202.14.67.4 101.101.101.101 168.95.1.1 114.114.114.114 223.5.5.5
  180.76.76.76 1.2.4.8 2001:da8:8000:1::1 168.126.63.1 164.124.101.2 202.12.27.33 133.242.0.3
  210.196.3.183 2403:300:a0c::1 203.50.2.71 139.130.4.5 61.9.188.33 203.2.193.67 210.55.111.1
  202.27.184.3
`
  .trim()
  .split(/\s+/);

export interface DemoClient {
  /** How often it shows up, relative to the others. */
  weight: number;
  headers: HeaderBag;
}

const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CHROME_HINTS = {
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
};

/** Real browsers' User-Agent strings (and the client hints Chromium sends), weighted roughly as in an office. */
export const DEMO_CLIENTS: readonly DemoClient[] = [
  {
    weight: 24,
    headers: {
      'user-agent': CHROME_WINDOWS,
      ...CHROME_HINTS,
      'sec-ch-ua-platform': '"Windows"',
      'sec-ch-ua-platform-version': '"15.0.0"',
    },
  },
  { weight: 8, headers: { 'user-agent': CHROME_WINDOWS } },
  {
    weight: 12,
    headers: {
      'user-agent': `${CHROME_WINDOWS} Edg/131.0.0.0`,
      'sec-ch-ua': '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?0',
      'sec-ch-ua-platform': '"Windows"',
      'sec-ch-ua-platform-version': '"10.0.0"',
    },
  },
  {
    weight: 5,
    headers: {
      'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    },
  },
  {
    weight: 2,
    headers: {
      'user-agent': `${CHROME_WINDOWS} OPR/115.0.0.0`,
      'sec-ch-ua': '"Opera";v="115", "Chromium";v="130", "Not?A_Brand";v="99"',
      'sec-ch-ua-platform': '"Windows"',
    },
  },
  {
    weight: 1,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 YaBrowser/24.10.0.0 Safari/537.36',
    },
  },
  {
    weight: 8,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ...CHROME_HINTS,
      'sec-ch-ua-platform': '"macOS"',
      'sec-ch-ua-platform-version': '"15.1.0"',
    },
  },
  {
    weight: 8,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    },
  },
  {
    weight: 2,
    headers: {
      'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0',
    },
  },
  {
    weight: 8,
    headers: {
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    },
  },
  {
    weight: 3,
    headers: {
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    },
  },
  {
    weight: 2,
    headers: {
      'user-agent':
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
    },
  },
  {
    weight: 3,
    headers: {
      'user-agent':
        'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    },
  },
  {
    weight: 5,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    },
  },
  {
    weight: 3,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      'sec-ch-ua-mobile': '?1',
      'sec-ch-ua-platform': '"Android"',
      'sec-ch-ua-platform-version': '"14.0.0"',
      'sec-ch-ua-model': '"SM-S921B"',
    },
  },
  {
    weight: 2,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
    },
  },
  {
    weight: 1,
    headers: {
      'user-agent':
        'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
  },
  {
    weight: 1,
    headers: { 'user-agent': 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0' },
  },
  {
    weight: 3,
    headers: {
      'user-agent': 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    },
  },
  {
    weight: 2,
    headers: {
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
  },
  {
    weight: 2,
    headers: {
      'user-agent':
        'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    },
  },
];
