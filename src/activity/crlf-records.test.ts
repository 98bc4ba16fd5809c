import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { CrlfRecords } from './crlf-records.js';

async function rewrite(chunks: string[]): Promise<{ text: string; records: number }> {
  const transform = new CrlfRecords();
  const out = await buffer(Readable.from(chunks.map((c) => Buffer.from(c))).pipe(transform));
  return { text: out.toString('utf8'), records: transform.records };
}

describe('CrlfRecords', () => {
  it('ends every record with CRLF and counts them', async () => {
    expect(await rewrite(['a,b\nc,d\n'])).toEqual({ text: 'a,b\r\nc,d\r\n', records: 2 });
  });

  it('leaves line feeds inside quoted cells alone, escaped quotes included', async () => {
    const csv = 'x,"line 1\nline 2"\n"say ""hi""\n",y\n"",z\n';
    expect(await rewrite([csv])).toEqual({
      text: 'x,"line 1\nline 2"\r\n"say ""hi""\n",y\r\n"",z\r\n',
      records: 3,
    });
  });

  it('keeps the quote state across chunk boundaries, wherever a chunk ends', async () => {
    const csv = 'a,"b\nc"\n"d""\ne",f\ng,h\n';
    const expected = 'a,"b\nc"\r\n"d""\ne",f\r\ng,h\r\n';
    for (let cut = 1; cut < csv.length; cut++) {
      expect(await rewrite([csv.slice(0, cut), csv.slice(cut)])).toEqual({ text: expected, records: 3 });
    }
    expect(await rewrite(csv.split(''))).toEqual({ text: expected, records: 3 });
  });

  it('keeps multi-byte characters split across chunks intact', async () => {
    const bytes = Buffer.from('ü,😀\n');
    const transform = new CrlfRecords();
    const out = await buffer(Readable.from([bytes.subarray(0, 4), bytes.subarray(4)]).pipe(transform));
    expect(out.toString('utf8')).toBe('ü,😀\r\n');
  });
});
