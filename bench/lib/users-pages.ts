/**
 * GET /api/users at scale (the Users page): its first page, and the first page of a username
 * search, p50/p95 of `samples` sequential requests after 3 discarded. The measured org has
 * BENCH_LIVE / 5 users (20,000 by default), each with their live and ended sessions.
 */
export interface UsersPageTiming {
  label: string;
  /** The matching users, as the answer's total says them. */
  matches: string;
  /** Sorted, in ms. */
  times: number[];
}

interface UserPage {
  users: unknown[];
  total: number;
  totalCapped: boolean;
}

export async function timeUsersPages(
  base: string,
  cookie: string,
  crowdUsername: string,
  samples: number,
): Promise<UsersPageTiming[]> {
  const prefix = crowdUsername.slice(0, 3).toUpperCase();
  const requests: Array<[string, string]> = [
    ['GET /api/users first page', ''],
    [`GET /api/users first page, q=${prefix} (prefix)`, `q=${encodeURIComponent(prefix)}`],
    ['GET /api/users first page, q=zzqx (no match)', 'q=zzqx'],
  ];
  const timings: UsersPageTiming[] = [];
  for (const [label, query] of requests) {
    const url = `${base}/api/users?limit=100${query ? `&${query}` : ''}`;
    const times: number[] = [];
    let page: UserPage | undefined;
    for (let i = 0; i < samples + 3; i++) {
      const started = performance.now();
      const response = await fetch(url, { headers: { cookie } });
      const body = (await response.json()) as UserPage;
      if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
      if (i >= 3) times.push(performance.now() - started);
      page = body;
    }
    times.sort((a, b) => a - b);
    timings.push({ label, matches: page ? `${page.total}${page.totalCapped ? '+' : ''}` : '?', times });
  }
  return timings;
}
