import { parse } from 'csv-parse/sync';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const DAY = 24 * 3_600_000;
const BOM = '\ufeff';
const HEADER = [
  'Date/Time (UTC)',
  'User',
  'Activity',
  'Status',
  'Target',
  'Details',
  'Public IP',
  'Session ID',
  'User ID',
  'Activity ID',
  'Source',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Cells a spreadsheet would run as formulas, quoting trouble, line breaks and non-ASCII text. */
const NASTY = [
  '=1+1',
  '=HYPERLINK("http://evil.example","click")',
  '+SUM(A1:A9)',
  '-2+3',
  '@cmd',
  '\t=1+1',
  '\r=1+1',
  '\rplain after CR',
  'say "hi" and ""bye""',
  '"',
  'a,b,,c',
  'line one\nline two',
  'line one\r\nline two',
  'trailing newline\n',
  'harmless\n=HYPERLINK("http://evil.example")',
  'harmless\r@SUM(1)',
  'ünïcödé ✓ 😀 👩‍👩‍👧 🇩🇪',
  'مرحبا بالعالم',
  'שלום \u202Eevil\u202C',
  ' =leading space is text',
  "'already apostrophed",
  'ok = fine',
  'x',
];

const neutralized = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

interface Item {
  id: string;
  occurredAt: string;
  userId: string | null;
  username: string;
  activity: string;
  status: string;
  target: string | null;
  details: string | null;
  publicIp: string | null;
  sessionId: string | null;
  source: string | null;
}

/** An activity as the export must write it, before neutralising formulas. */
const asCells = (item: Item) => [
  item.occurredAt,
  item.username,
  item.activity,
  item.status,
  item.target ?? '',
  item.details ?? '',
  item.publicIp ?? '',
  item.sessionId ?? '',
  item.userId ?? '',
  item.id,
  item.source ?? '',
];

describeEachEngine('activity export (GET /api/activities/export)', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let outsider: SignedIn;
  let acmeKey: string;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app, 'Acme Corp & Co.');
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    outsider = await signIn(t.app, other.admin.username);
    acmeKey = (await as(t.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
  });
  afterEach(() => t.close());

  const put = async (events: Array<Record<string, unknown>>, key = acmeKey) => {
    for (let i = 0; i < events.length; i += 1_000) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { authorization: `Bearer ${key}` },
        payload: {
          events: events
            .slice(i, i + 1_000)
            .map((e) => ({ activity: 'backup', username: acme.user.username, ...e })),
        },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  };
  const download = (who: SignedIn, query = '') => as(t.app, who).get(`/api/activities/export?${query}`);
  /** Reads a CSV export back as a spreadsheet or SIEM would: BOM, then RFC 4180 records. */
  const readCsv = (response: LightMyRequestResponse) => {
    expect(response.statusCode, response.body).toBe(200);
    const raw = response.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.toString('utf8');
    expect(text.startsWith(`${BOM}${HEADER.join(',')}\r\n`)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    // Any line break the writer left unquoted would split a record here.
    const records: string[][] = parse(text.slice(BOM.length), {
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: false,
    });
    expect(records[0]).toEqual(HEADER);
    return records.slice(1);
  };
  /** Every row of a search, following its cursors. */
  const searchAll = async (who: SignedIn, query: string) => {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await as(t.app, who).get(`/api/activities?${query}${suffix}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as { items: Item[]; nextCursor: string | null };
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  /** The admin as the export service sees them, for tests that read its stream directly. */
  const adminActor = () => ({
    userId: acme.admin.id,
    orgId: acme.orgId,
    username: acme.admin.username,
    role: 'admin' as const,
    sessionId: admin.sessionId,
    publicIp: '127.0.0.1',
  });
  const exportsRecorded = (orgId = acme.orgId) =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('activity', '=', 'activity.exported')
      .orderBy('id')
      .execute();

  describe('CSV', () => {
    it('writes a BOM, a header row, and every cell as stored, with formulas neutralised by a leading apostrophe', async () => {
      await put(
        NASTY.map((value, i) => ({
          activity: 'nasty',
          target: value,
          details: NASTY[(i + 7) % NASTY.length],
          status: value.length <= 32 ? value : 'long',
          publicIp: i % 2 ? '203.0.113.9' : '2001:db8::7',
        })),
      );
      const items = await searchAll(admin, 'activity=nasty');
      expect(items).toHaveLength(NASTY.length);
      const rows = readCsv(await download(admin, 'activity=nasty'));
      expect(rows).toHaveLength(NASTY.length);
      expect(rows.map((r) => r[9])).toEqual(items.map((i) => i.id));
      for (const [index, row] of rows.entries()) {
        const item = items[index] as Item;
        expect(row).toEqual(asCells(item).map(neutralized));
        expect(row[0]).toMatch(ISO_UTC);
      }
      const targets = rows.map((r) => r[4] as string);
      for (const value of NASTY) {
        expect(targets).toContain(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
      }
      expect(targets).toContain("'=1+1");
      expect(targets).toContain("'\r=1+1");
      expect(targets).toContain(' =leading space is text');
      expect(targets).toContain('ünïcödé ✓ 😀 👩‍👩‍👧 🇩🇪');
      for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });

    it('quotes a lone line feed or carriage return, so a cell can never start a row of its own', async () => {
      const sneaky = 'report.pdf\n=HYPERLINK("http://evil.example","open")';
      await put([{ activity: 'nasty', target: sneaky, details: 'a\rb' }]);
      const response = await download(admin, 'activity=nasty');
      const text = response.rawPayload.toString('utf8');
      expect(text).toContain(`"${sneaky.replaceAll('"', '""')}"`);
      expect(text).toContain('"a\rb"');
      expect(text.split('\r\n')).toHaveLength(3);
      const rows = readCsv(response);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.[4]).toBe(sneaky);
    });

    it('neutralises a username, status or details that starts like a formula too', async () => {
      await put([{ activity: 'nasty', status: '-1', details: '@SUM(1)', target: '+1' }]);
      const [row] = readCsv(await download(admin, 'activity=nasty'));
      expect(row?.slice(3, 6)).toEqual(["'-1", "'+1", "'@SUM(1)"]);
    });

    it('writes times as ISO 8601 UTC', async () => {
      await put([{ occurredAt: '2026-11-20T23:30:00.5+02:00', activity: 'tz' }]);
      const [row] = readCsv(await download(admin, 'activity=tz'));
      expect(row?.[0]).toBe('2026-11-20T21:30:00.500Z');
    });

    it('exports the whole filtered result, across export batches, in the order search shows it', async () => {
      const base = clock.now() - 2 * DAY;
      await put(
        Array.from({ length: 2_500 }, (_, i) => ({
          occurredAt: new Date(base + (i % 3) * 1_000).toISOString(),
          activity: i % 5 === 0 ? 'compare' : 'backup',
          target: `item ${i}`,
        })),
      );
      await put([{ activity: 'replicate', target: 'filtered out' }]);
      const query = 'activity=backup&activity=compare';
      const items = await searchAll(admin, query);
      expect(items).toHaveLength(2_500);
      const rows = readCsv(await download(admin, query));
      expect(rows).toHaveLength(2_500);
      expect(rows.map((r) => r[9])).toEqual(items.map((i) => i.id));
      expect(new Set(rows.map((r) => r[9])).size).toBe(2_500);
      // Batches continue from the sort key of the last row, for every sort.
      for (const sort of ['sort=username&order=asc', 'sort=activity&order=desc']) {
        const sorted = await searchAll(admin, `${query}&${sort}`);
        const exported = readCsv(await download(admin, `${query}&${sort}`));
        expect(exported.map((r) => r[9])).toEqual(sorted.map((i) => i.id));
      }
    });

    it('exports batches of the largest rows ingest accepts, every cell as stored, in CSV and JSON Lines', async () => {
      // Details of 16 kB of JSON and a target of 1,000 characters, in multi-byte text: the export
      // worker reads and encodes whole batches of such rows within its bounded heap.
      const big = (i: number) => ({
        activity: 'big',
        target: `${i} ${'😀'.repeat(498)}`,
        details: { note: `${i} ${'ü'.repeat(8_000)}`, step: 'ünïcödé'.repeat(20) },
      });
      const events = Array.from({ length: 1_100 }, (_, i) => big(i));
      for (let i = 0; i < events.length; i += 100) await put(events.slice(i, i + 100));
      const items = await searchAll(admin, 'activity=big');
      expect(items).toHaveLength(1_100);
      const rows = readCsv(await download(admin, 'activity=big'));
      expect(rows.map((r) => r[9])).toEqual(items.map((i) => i.id));
      expect(rows.map((r) => r[4])).toEqual(items.map((i) => i.target));
      // An object's details are written as its canonical JSON.
      expect(rows.map((r) => JSON.parse(r[5] as string))).toEqual(items.map((i) => i.details));
      const lines = (await download(admin, 'activity=big&format=jsonl')).body.slice(0, -1).split('\n');
      expect(lines.map((line) => JSON.parse(line))).toEqual(items);
      expect(new Set(items.map((i) => i.target))).toEqual(new Set(events.map((e) => e.target)));
    });

    it('honours every filter and the sort order, like search', async () => {
      await put([
        { activity: 'compare', target: 'needle one', username: acme.admin.username },
        { activity: 'backup', target: 'needle two' },
        { activity: 'backup', target: 'haystack' },
        {
          activity: 'backup',
          target: 'old needle',
          occurredAt: new Date(clock.now() - 40 * DAY).toISOString(),
        },
      ]);
      const query = 'activity=backup&activity=compare&q=NEEDLE&sort=username&order=asc';
      const items = await searchAll(admin, query);
      expect(items.map((i) => i.target)).toEqual(['needle one', 'needle two']);
      const rows = readCsv(await download(admin, query));
      expect(rows.map((r) => r[9])).toEqual(items.map((i) => i.id));
      const userRows = readCsv(await download(admin, `userId=${acme.user.id}&q=needle&period=6m`));
      expect(userRows.map((r) => r[4]).sort()).toEqual(['needle two', 'old needle']);
    });

    it('answers as a UTF-8 CSV attachment named after the org and the range', async () => {
      const response = await download(admin);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(
        'attachment; filename="activity-log-acme-corp-co-2026-10-23-2026-11-23.csv"',
      );
      expect(response.headers['cache-control']).toBe('no-store');
      // Named for the last day included, whichever way the end is written.
      for (const to of ['2026-11-08T00:00:00Z', '2026-11-07']) {
        const custom = await download(admin, `from=2026-11-01&to=${to}`);
        expect(custom.headers['content-disposition']).toBe(
          'attachment; filename="activity-log-acme-corp-co-2026-11-01-2026-11-07.csv"',
        );
      }
    });

    it('keeps the filename a safe ASCII token whatever the org is called', async () => {
      const weird = await seedOrg(t.app, 'Müller "Backup"\r\nX-Evil: 1; filename=a.exe');
      const who = await signIn(t.app, weird.admin.username);
      const response = await download(who, 'period=1y');
      const disposition = response.headers['content-disposition'] as string;
      expect(disposition).toMatch(
        /^attachment; filename="activity-log-[a-z0-9-]+-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(disposition).toContain(
        'activity-log-muller-backup-x-evil-1-filename-a-exe-2025-11-23-2026-11-23.csv',
      );
      expect(response.headers['x-evil']).toBeUndefined();
    });

    it('exports only the header row when nothing matches', async () => {
      expect(readCsv(await download(admin, 'activity=nothing'))).toEqual([]);
    });
  });

  describe('JSON Lines', () => {
    it('writes one JSON activity a line, the same rows as search', async () => {
      await put(NASTY.map((value) => ({ activity: 'nasty', target: value, details: value })));
      const items = await searchAll(admin, 'activity=nasty');
      const response = await download(admin, 'activity=nasty&format=jsonl');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(response.headers['content-disposition']).toMatch(
        /^attachment; filename="activity-log-acme-corp-co-2026-10-23-2026-11-23\.jsonl"$/,
      );
      expect(response.body.startsWith(BOM)).toBe(false);
      expect(response.body.endsWith('\n')).toBe(true);
      const lines = response.body.slice(0, -1).split('\n');
      expect(lines.map((line) => JSON.parse(line))).toEqual(items);
    });

    it('refuses an unknown format with 400 naming it', async () => {
      const response = await download(admin, 'format=xlsx');
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('format');
    });
  });

  describe('who sees what', () => {
    beforeEach(async () => {
      await put([
        { target: 'mine', username: acme.user.username },
        { target: 'admins', username: acme.admin.username },
      ]);
      const otherKey = (await as(t.app, outsider).post('/api/api-keys', { name: 'x' })).json().key;
      await put([{ target: 'foreign', username: other.user.username }], otherKey);
    });

    it('gives a user only their own rows, whatever they ask for', async () => {
      for (const query of [
        '',
        `userId=${acme.admin.id}`,
        'activity=backup',
        `username=${acme.admin.username}`,
      ]) {
        const rows = readCsv(await download(user, query));
        expect(
          rows.every((r) => r[8] === acme.user.id),
          query,
        ).toBe(true);
        expect(
          rows.map((r) => r[4]),
          query,
        ).not.toContain('admins');
      }
      expect(readCsv(await download(user, 'activity=backup')).map((r) => r[4])).toEqual(['mine']);
    });

    it("gives an admin the org's rows and none of another org", async () => {
      const rows = readCsv(await download(admin, 'activity=backup'));
      expect(rows.map((r) => r[4]).sort()).toEqual(['admins', 'mine']);
      const everything = readCsv(await download(admin));
      expect(JSON.stringify(everything)).not.toContain('foreign');
      expect(JSON.stringify(everything)).not.toContain(other.orgId);
    });

    it('needs a session (401), and checks the parameters (400) before writing anything', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/activities/export' })).statusCode).toBe(401);
      const bad = await download(admin, 'from=garbage');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toContain('from');
      expect(await exportsRecorded()).toEqual([]);
    });
  });

  describe('the export is itself an activity', () => {
    it('records activity.exported with the row count, by whom and from which session', async () => {
      await put(Array.from({ length: 7 }, (_, i) => ({ target: `t${i}` })));
      const rows = readCsv(await download(admin, 'activity=backup'));
      expect(rows).toHaveLength(7);
      const recorded = await exportsRecorded();
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        userId: acme.admin.id,
        username: acme.admin.username,
        sessionId: admin.sessionId,
        status: 'success',
        target: '7 rows as csv',
      });
      expect(recorded[0]?.details).toContain('backup');
      const search = await as(t.app, admin).get('/api/activities?activity=activity.exported');
      expect(search.json().items).toMatchObject([{ target: '7 rows as csv' }]);
    });

    it("records a user's export and a JSON Lines export with their own counts", async () => {
      await put([{ target: 'mine' }]);
      readCsv(await download(user, 'activity=backup'));
      await download(admin, 'activity=backup&format=jsonl');
      const recorded = await exportsRecorded();
      expect(recorded.map((r) => [r.userId, r.target])).toEqual([
        [acme.user.id, '1 rows as csv'],
        [acme.admin.id, '1 rows as jsonl'],
      ]);
      expect(await exportsRecorded(other.orgId)).toEqual([]);
    });

    it('writes the same bytes whether the rows come from COPY (PostgreSQL) or from keyset batches', async () => {
      await put(
        [...NASTY, ...Array.from({ length: 2_100 }, (_, i) => `row ${i}`)].map((value, i) => ({
          activity: 'nasty',
          target: value,
          details: NASTY[i % NASTY.length],
          status: i % 3 ? 'success' : '-failure',
        })),
      );
      const start = async () =>
        (await t.app.services.activity.exportActivities(adminActor(), { activity: ['nasty'] }, 'csv')).stream[
          Symbol.asyncIterator
        ]();
      // Bytes first, text last: COPY's chunks end wherever they end, in the middle of a character too.
      const readRest = async (chunks: AsyncIterator<Buffer | string>, first: Buffer[] = []) => {
        const bytes = [...first];
        for (let next = await chunks.next(); !next.done; next = await chunks.next())
          bytes.push(Buffer.from(next.value));
        return Buffer.concat(bytes).toString('utf8');
      };
      // Two exports opened and paused hold every COPY slot: the third reads keyset batches.
      const [a, b] = [await start(), await start()];
      const [aFirst, bFirst] = [[Buffer.from((await a.next()).value)], [Buffer.from((await b.next()).value)]];
      const batched = await readRest(await start());
      const [copied, copiedToo] = [await readRest(a, aFirst), await readRest(b, bFirst)];
      const records: string[][] = parse(batched.slice(BOM.length), { record_delimiter: '\r\n' });
      expect(records).toHaveLength(1 + NASTY.length + 2_100);
      expect(copied).toBe(batched);
      expect(copiedToo).toBe(batched);
    });

    it('frees what an abandoned export held: a dozen abandoned exports, then everything still answers', async () => {
      await put(Array.from({ length: 3_000 }, (_, i) => ({ target: `row ${i}`, details: 'x'.repeat(100) })));
      // More than the PostgreSQL pool's 10 connections: a leaked one per export would hang the last.
      for (let i = 0; i < 12; i++) {
        const { stream } = await t.app.services.activity.exportActivities(
          adminActor(),
          { activity: ['backup'] },
          'csv',
        );
        const chunks = stream[Symbol.asyncIterator]();
        await chunks.next(); // the header
        await chunks.next(); // the first rows: the COPY is under way
        stream.destroy();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(readCsv(await download(admin, 'activity=backup'))).toHaveLength(3_000);
      expect((await as(t.app, admin).get('/api/activities?activity=backup')).statusCode).toBe(200);
      const recorded = (await exportsRecorded()).map((r) => r.status);
      expect(recorded.filter((s) => s === 'aborted')).toHaveLength(12);
    });

    it('counts a large export exactly', async () => {
      await put(Array.from({ length: 2_345 }, (_, i) => ({ target: `t${i}` })));
      expect(readCsv(await download(admin, 'activity=backup'))).toHaveLength(2_345);
      expect((await exportsRecorded()).map((r) => r.target)).toEqual(['2345 rows as csv']);
    });
  });
});
