import { describe, expect, it } from 'vitest';
import type { ActivityEvent, AppendCounts } from '../chain/record.js';
import { type AppendGroups, createGroupAppender, MAX_GROUP_EVENTS } from './group-appender.js';

const events = (n: number, activity = 'backup'): ActivityEvent[] =>
  Array.from({ length: n }, () => ({
    occurredAt: 0,
    userId: null,
    username: 'u',
    activity,
    status: 'success',
  }));

/** An appendGroups whose transactions finish when the test says so. */
function controlledAppends() {
  const calls: { orgId: string; groups: ActivityEvent[][]; finish(error?: Error): void }[] = [];
  const appendGroups: AppendGroups = (orgId, groups) =>
    new Promise<AppendCounts[]>((resolve, reject) => {
      calls.push({
        orgId,
        groups,
        finish: (error) =>
          error ? reject(error) : resolve(groups.map((g) => ({ accepted: g.length, duplicates: 0 }))),
      });
    });
  return { calls, appendGroups };
}

/** Lets the appender run up to its next wait (it waits one event-loop turn before each transaction). */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('group appender', () => {
  it('appends a lone call in a transaction of its own, and resolves it only when that has committed', async () => {
    const { calls, appendGroups } = controlledAppends();
    const appender = createGroupAppender(appendGroups, { inFlight: 1 });
    let done = false;
    const result = appender.append('org', events(3)).then((counts) => {
      done = true;
      return counts;
    });
    await settle();
    expect(calls.map((c) => c.groups.length)).toEqual([1]);
    expect(done).toBe(false);
    calls[0]?.finish();
    expect(await result).toEqual({ accepted: 3, duplicates: 0 });
  });

  it('puts the calls of one event-loop turn into one transaction', async () => {
    const { calls, appendGroups } = controlledAppends();
    const appender = createGroupAppender(appendGroups, { inFlight: 1 });
    const both = [appender.append('org', events(1, 'a')), appender.append('org', events(2, 'b'))];
    await settle();
    expect(calls.map((c) => c.groups.map((g) => g.length))).toEqual([[1, 2]]);
    calls[0]?.finish();
    expect(await Promise.all(both)).toEqual([
      { accepted: 1, duplicates: 0 },
      { accepted: 2, duplicates: 0 },
    ]);
  });

  it('puts the calls that arrive while a transaction runs into the next one, in order, with their own counts', async () => {
    const { calls, appendGroups } = controlledAppends();
    const appender = createGroupAppender(appendGroups, { inFlight: 1 });
    const first = appender.append('org', events(1, 'a'));
    await settle();
    const waiting = [appender.append('org', events(2, 'b')), appender.append('org', events(3, 'c'))];
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]?.finish();
    await first;
    await settle();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.groups.map((g) => g.map((e) => e.activity).join(''))).toEqual(['bb', 'ccc']);
    calls[1]?.finish();
    expect(await Promise.all(waiting)).toEqual([
      { accepted: 2, duplicates: 0 },
      { accepted: 3, duplicates: 0 },
    ]);
  });

  it('runs up to inFlight transactions of one org at once; later calls wait for either to finish', async () => {
    const { calls, appendGroups } = controlledAppends();
    const appender = createGroupAppender(appendGroups, { inFlight: 2 });
    const first = appender.append('org', events(1, 'a'));
    await settle();
    const second = appender.append('org', events(2, 'b'));
    await settle();
    expect(calls.map((c) => c.groups.map((g) => g.length))).toEqual([[1], [2]]);
    const waiting = [appender.append('org', events(3, 'c')), appender.append('org', events(4, 'd'))];
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]?.finish();
    expect(await second).toEqual({ accepted: 2, duplicates: 0 });
    await settle();
    expect(calls[2]?.groups.map((g) => g.length)).toEqual([3, 4]);
    calls[0]?.finish();
    calls[2]?.finish();
    expect(await first).toEqual({ accepted: 1, duplicates: 0 });
    expect(await Promise.all(waiting)).toEqual([
      { accepted: 3, duplicates: 0 },
      { accepted: 4, duplicates: 0 },
    ]);
    await settle();
    expect(calls).toHaveLength(3);
  });

  it(`caps a group at ${MAX_GROUP_EVENTS} events (a bigger call goes alone)`, async () => {
    const { calls, appendGroups } = controlledAppends();
    const appender = createGroupAppender(appendGroups, { inFlight: 1 });
    const all = Array.from({ length: 6 }, () => appender.append('org', events(1_000)));
    all.push(appender.append('org', events(MAX_GROUP_EVENTS + 1)));
    for (let i = 0; i < 3; i++) {
      await settle();
      calls[i]?.finish();
    }
    await Promise.all(all);
    expect(calls.map((c) => c.groups.reduce((n, g) => n + g.length, 0))).toEqual([
      5_000,
      1_000,
      MAX_GROUP_EVENTS + 1,
    ]);
  });

  it('does not hold one org’s calls behind another’s transaction', async () => {
    const { calls, appendGroups } = controlledAppends();
    const appender = createGroupAppender(appendGroups, { inFlight: 1 });
    void appender.append('org-a', events(1));
    const b = appender.append('org-b', events(1));
    await settle();
    expect(calls.map((c) => c.orgId)).toEqual(['org-a', 'org-b']);
    calls[1]?.finish();
    await b;
  });

  it('retries a group whose data the database refused call by call, so only the call at fault is refused', async () => {
    const transactions: number[][] = [];
    const refused = Object.assign(new Error('value too long'), { code: '22001' });
    const appendGroups: AppendGroups = async (_, groups) => {
      transactions.push(groups.map((g) => g.length));
      if (groups.some((g) => g.some((e) => e.activity === 'bad'))) throw refused;
      return groups.map((g) => ({ accepted: g.length, duplicates: 0 }));
    };
    const { calls, appendGroups: first } = controlledAppends();
    const appender = createGroupAppender(
      (orgId, groups) =>
        transactions.length === 0 && calls.length === 0 ? first(orgId, groups) : appendGroups(orgId, groups),
      { inFlight: 1 },
    );
    const opening = appender.append('org', events(1));
    await settle();
    const good = appender.append('org', events(2));
    const bad = appender.append('org', events(1, 'bad'));
    const alsoGood = appender.append('org', events(3));
    await settle();
    calls[0]?.finish();
    await opening;
    await expect(bad).rejects.toThrow('value too long');
    expect(await good).toEqual({ accepted: 2, duplicates: 0 });
    expect(await alsoGood).toEqual({ accepted: 3, duplicates: 0 });
    expect(transactions).toEqual([[2, 1, 3], [2], [1], [3]]);
  });

  it('refuses every call of a group after an error that may have left it stored, and runs none again', async () => {
    let transactions = 0;
    const appender = createGroupAppender(
      async () => {
        transactions += 1;
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      },
      { inFlight: 1 },
    );
    const all = [appender.append('org', events(1)), appender.append('org', events(2))];
    for (const call of all) await expect(call).rejects.toThrow('Connection terminated');
    expect(transactions).toBe(1);
  });
});
