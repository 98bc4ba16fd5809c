import { recordActivities } from '../../src/activity/chain/record.js';
import type { DatabaseEngine } from '../../src/db/database.js';

const BATCH = 5_000;

/**
 * Appends `count` backup activities of one user to the org's chain straight through the append
 * path (no HTTP), in a few transactions: enough rows for an export or a verification that takes
 * many batches, in a fraction of the time ingest calls would take.
 */
export async function appendBackups(
  database: DatabaseEngine,
  org: { orgId: string; userId: string; username: string },
  count: number,
  now: number,
): Promise<void> {
  for (let done = 0; done < count; done += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => ({
      occurredAt: now - (done + i) * 1_000,
      userId: org.userId,
      username: org.username,
      activity: 'backup',
      status: 'success',
      target: `Org Acme ${(done + i) % 7}`,
      details: `${done + i} records, ${'x'.repeat(80)}`,
      publicIp: '203.0.113.9',
    }));
    await database.db.transaction().execute((trx) => recordActivities(trx, org.orgId, events, now));
  }
}
