import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { CopyCsvRecords, IsoMinuteCache } from './copy-csv-records.js';

const T1 = Date.UTC(2026, 10, 20, 21, 30, 0, 500);
const T2 = Date.UTC(2025, 0, 1);
const ISO1 = '2026-11-20T21:30:00.500Z';
const ISO2 = '2025-01-01T00:00:00.000Z';

async function rewrite(chunks: Array<string | Buffer>): Promise<{ text: string; records: number }> {
  const transform = new CopyCsvRecords();
  const out = await buffer(Readable.from(chunks.map((c) => Buffer.from(c))).pipe(transform));
  return { text: out.toString('utf8'), records: transform.records };
}

describe('CopyCsvRecords', () => {
  it('writes the first cell as ISO 8601 UTC, ends every record with CRLF and counts them', async () => {
    expect(await rewrite([`${T1},a,b\n${T2},c,d\n`])).toEqual({
      text: `${ISO1},a,b\r\n${ISO2},c,d\r\n`,
      records: 2,
    });
  });

  it('leaves line feeds and commas inside quoted cells alone, escaped quotes included', async () => {
    const csv = `${T1},"line 1\nline 2, ${T2}"\n${T2},"say ""hi""\n",y\n${T1},"",z\n`;
    expect(await rewrite([csv])).toEqual({
      text: `${ISO1},"line 1\nline 2, ${T2}"\r\n${ISO2},"say ""hi""\n",y\r\n${ISO1},"",z\r\n`,
      records: 3,
    });
  });

  it('keeps its state across chunk boundaries, wherever a chunk ends (inside a time too)', async () => {
    const csv = `${T1},"b\nc"\n${T2},"d""\ne",f\n${T1},h\n`;
    const expected = `${ISO1},"b\nc"\r\n${ISO2},"d""\ne",f\r\n${ISO1},h\r\n`;
    for (let cut = 1; cut < csv.length; cut++) {
      expect(await rewrite([csv.slice(0, cut), csv.slice(cut)])).toEqual({ text: expected, records: 3 });
    }
    expect(await rewrite(csv.split(''))).toEqual({ text: expected, records: 3 });
  });

  it('handles long runs of unquoted records between quoted ones in one chunk', async () => {
    const rows = Array.from({ length: 2_000 }, (_, i) =>
      i % 500 === 499 ? `${T1},"a\nb"\n` : `${T2},x${i}\n`,
    );
    const { text, records } = await rewrite([rows.join('')]);
    expect(records).toBe(2_000);
    expect(text.split('\r\n')).toHaveLength(2_001);
    expect(text).toContain(`${ISO1},"a\nb"\r\n${ISO2},x500\r\n`);
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const bytes = Buffer.from(`${T1},ü,😀\n`);
    const cut = bytes.indexOf(0xf0) + 2;
    expect(await rewrite([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual({
      text: `${ISO1},ü,😀\r\n`,
      records: 1,
    });
  });
});

describe('IsoMinuteCache', () => {
  it('formats exactly as Date#toISOString, in any order, across minutes, days and years', () => {
    const cache = new IsoMinuteCache();
    const times = [
      0,
      1,
      999,
      1_000,
      59_999,
      60_000,
      T1,
      T1 + 1,
      T1 - 1,
      T2 - 1,
      T2,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
    ];
    for (let i = 0; i < 2_000; i++) times.push(T2 + i * 7_919 + (i % 13) * 60_000);
    for (const ms of [...times, ...times.reverse()])
      expect(cache.format(ms)).toBe(new Date(ms).toISOString());
  });

  it('writes years outside 0000–9999 exactly, neutralised like every other cell', () => {
    const cache = new IsoMinuteCache();
    expect(cache.format(Date.parse('-001000-01-01T00:05:07.123Z'))).toBe("'-001000-01-01T00:05:07.123Z");
    expect(cache.format(Date.parse('+010000-01-01T00:00:00.000Z'))).toBe("'+010000-01-01T00:00:00.000Z");
    expect(cache.format(Date.parse('0000-01-01T00:00:00.000Z'))).toBe('0000-01-01T00:00:00.000Z');
  });
});
