import { afterEach, beforeEach, expect, it } from 'vitest';
import { verifyChain } from '../src/activity/chain/chain-verify.js';
import { recordActivities } from '../src/activity/chain/record.js';
import type { TurnShare } from '../src/db/turn-share.js';
import { appendBackups } from './helpers/activity-rows.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ROWS = 3_000;
/** Rows a piece of the final counts may read in these tests: far fewer than the log holds. */
const PIECE = 100;

describeEachEngine('a chain verification counts the log in pieces', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    await appendBackups(
      t.database,
      { orgId: acme.orgId, userId: acme.user.id, username: acme.user.username },
      ROWS,
      clock.now(),
    );
  });
  afterEach(() => t.close());

  /** Runs pieces at once, counting them, and runs `before` ahead of the piece numbered `at`. */
  const countingPaced = (at = -1, before: () => Promise<void> = async () => {}) => {
    const state = { pieces: 0 };
    const paced: TurnShare = async (piece) => {
      state.pieces += 1;
      if (state.pieces === at) await before();
      return piece();
    };
    return { state, paced };
  };

  it('no piece of the final counts covers more than a bounded share of the log', async () => {
    const { state, paced } = countingPaced();
    const report = await verifyChain(t.database.db, acme.orgId, { paced, countPiece: PIECE });
    expect(report.ok).toBe(true);
    // The walk takes ROWS / 500 pieces; counting ROWS activities PIECE at a time takes ROWS / PIECE.
    expect(state.pieces).toBeGreaterThan(ROWS / PIECE);
  });

  it('still names an activity inserted without a link, found piece by piece', async () => {
    const { state, paced } = countingPaced();
    const { id } = await t.database.db
      .insertInto('activities')
      .values({
        orgId: acme.orgId,
        occurredAt: clock.now() - 1_500_500,
        recordedAt: clock.now(),
        userId: acme.user.id,
        username: acme.user.username,
        activity: 'backup',
        status: 'success',
        target: 'slipped in',
        details: null,
        publicIp: null,
        sessionId: null,
        idempotencyKey: null,
        source: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const report = await verifyChain(t.database.db, acme.orgId, { paced, countPiece: PIECE });
    expect(report).toMatchObject({ ok: false, firstBroken: { id, problem: 'unlinked' } });
    expect(state.pieces).toBeGreaterThan(1);
  });

  it('does not count activities appended while the pieces run against the chain', async () => {
    const walkPieces = Math.ceil(ROWS / 500) + 2;
    const append = async () => {
      await t.database.db.transaction().execute((trx) =>
        recordActivities(
          trx,
          acme.orgId,
          [
            {
              occurredAt: clock.now() - 500,
              userId: acme.user.id,
              username: acme.user.username,
              activity: 'backup',
              status: 'success',
              target: 'during the count',
            },
          ],
          clock.now(),
        ),
      );
    };
    // A few pieces into the counts, after the chain's end was read.
    const { paced } = countingPaced(walkPieces + 5, append);
    const report = await verifyChain(t.database.db, acme.orgId, { paced, countPiece: PIECE });
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });
});
