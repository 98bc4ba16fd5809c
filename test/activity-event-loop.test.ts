import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { appendBackups } from './helpers/activity-rows.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ROWS = 20_000;

/**
 * Follows the event loop while `work` runs: a `setImmediate` chain notes when each loop turn
 * happens, and a health request goes out on the third turn. Synchronous reads that never let the
 * loop turn show as one gap as long as the whole work, and a health answer after it.
 */
async function watchLoop(app: TestApp['app'], work: () => Promise<unknown>) {
  const turns: number[] = [];
  let done = false;
  let healthBeforeDone: boolean | undefined;
  let healthStatus = 0;
  const started = performance.now();
  const tick = () => {
    turns.push(performance.now());
    if (turns.length === 3) {
      void app.inject({ method: 'GET', url: '/api/health' }).then((response) => {
        healthStatus = response.statusCode;
        healthBeforeDone = !done;
      });
    }
    // On until the health answer is in, which may come only after the work.
    if (!done || healthBeforeDone === undefined) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  done = true;
  const ended = performance.now();
  while (healthBeforeDone === undefined) await new Promise((resolve) => setImmediate(resolve));
  const marks = [started, ...turns.filter((at) => at <= ended), ended];
  // A loop with nothing to wait for turns hundreds of thousands of times: no spread into Math.max.
  const longestGap = marks.reduce((longest, at, i) => Math.max(longest, at - (marks[i - 1] ?? at)), 0);
  return { healthBeforeDone, healthStatus, longestShare: longestGap / (ended - started) };
}

describeEachEngine('long reads keep the event loop answering', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    await appendBackups(
      t.database,
      { orgId: acme.orgId, userId: acme.user.id, username: acme.user.username },
      ROWS,
      clock.now(),
    );
  });
  afterEach(() => t.close());

  it(`a health request sent while a ${ROWS}-row export runs is answered before the export ends`, async () => {
    let rows = 0;
    const watched = await watchLoop(t.app, async () => {
      const response = await as(t.app, admin).get('/api/activities/export?period=1m');
      expect(response.statusCode).toBe(200);
      rows = response.body.split('\r\n').length - 2;
    });
    expect(rows).toBeGreaterThanOrEqual(ROWS);
    expect(watched.healthStatus).toBe(200);
    expect(watched.healthBeforeDone).toBe(true);
    // No stretch without a loop turn takes more than a fraction of the export.
    expect(watched.longestShare).toBeLessThan(0.5);
  });

  it(`a ${ROWS}-row export on SQLite leaves the event loop idle most of the time: a worker thread reads and encodes`, async () => {
    const before = performance.eventLoopUtilization();
    const response = await as(t.app, admin).get('/api/activities/export?period=1m');
    const busy = performance.eventLoopUtilization(before).utilization;
    expect(response.statusCode).toBe(200);
    expect(response.body.split('\r\n').length - 2).toBeGreaterThanOrEqual(ROWS);
    // On PostgreSQL the database reads, and the loop takes COPY's text apart: no worker there.
    if (engine === 'sqlite') expect(busy).toBeLessThan(0.5);
  });

  it(`a ${ROWS}-row chain verification on SQLite leaves the event loop idle most of the time: a worker thread walks the chain`, async () => {
    const before = performance.eventLoopUtilization();
    const response = await as(t.app, admin).get('/api/activities/verify');
    const busy = performance.eventLoopUtilization(before).utilization;
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ ok: true });
    // On PostgreSQL the walk's hashing stays on the loop, in pieces that take turns (decision 009).
    if (engine === 'sqlite') expect(busy).toBeLessThan(0.5);
  });

  it(`a health request sent while a ${ROWS}-row chain verification runs is answered before it ends`, async () => {
    const watched = await watchLoop(t.app, async () => {
      const response = await as(t.app, admin).get('/api/activities/verify');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ ok: true });
    });
    expect(watched.healthStatus).toBe(200);
    expect(watched.healthBeforeDone).toBe(true);
    expect(watched.longestShare).toBeLessThan(0.5);
  });

  it('ANALYZE, run daily after retention, reads a bounded sample of each index on SQLite rather than the whole log', async () => {
    if (engine !== 'sqlite') return; // PostgreSQL analyzes a sample of its own, off the event loop
    const { rows } = await sql<{ analysisLimit: number }>`pragma analysis_limit`.execute(t.database.db);
    expect(rows[0]?.analysisLimit).toBeGreaterThan(0);
    expect(rows[0]?.analysisLimit).toBeLessThan(ROWS);
  });
});
