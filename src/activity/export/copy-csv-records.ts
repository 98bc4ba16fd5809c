import { Transform, type TransformCallback } from 'node:stream';
import { csvCell } from './csv.js';

const QUOTE = 0x22;
const LF = 0x0a;
const COMMA = 0x2c;
const CRLF = Buffer.from('\r\n');

/**
 * Turns PostgreSQL's COPY CSV of the export query into the export's CSV: the first cell of each
 * record, epoch milliseconds, becomes ISO 8601 UTC (Node formats a date for a fraction of what
 * `to_char` costs PostgreSQL), and records end in RFC 4180's CRLF instead of LF. An LF inside a
 * quoted cell is part of the cell: whether we are inside quotes is the parity of the quotes seen
 * so far in the record (an escaped quote, `""`, flips it twice). Counts the records it writes.
 */
export class CopyCsvRecords extends Transform {
  records = 0;
  /** The first cell's digits seen so far; null once past the first cell of the record. */
  private time: string | null = '';
  private inQuotes = false;
  private readonly iso = new IsoMinuteCache();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const pieces: Buffer[] = [];
    let start = 0;
    let at = 0;
    // Where the next quote and line feed are, searched again only once passed: quotes are rare,
    // and searching from every record to the end of the chunk would cost rows × chunk size.
    let quote = -2;
    let lf = -2;
    const next = (byte: number, known: number) =>
      known !== -1 && known < at ? chunk.indexOf(byte, at) : known;
    while (at < chunk.length) {
      if (this.time !== null) {
        const comma = chunk.indexOf(COMMA, at);
        if (comma === -1) {
          this.time += chunk.toString('latin1', at);
          start = at = chunk.length;
          break;
        }
        this.time += chunk.toString('latin1', at, comma);
        pieces.push(Buffer.from(this.iso.format(Number(this.time))));
        this.time = null;
        start = at = comma;
        continue;
      }
      quote = next(QUOTE, quote);
      if (this.inQuotes) {
        if (quote === -1) break;
        this.inQuotes = false;
        at = quote + 1;
        continue;
      }
      lf = next(LF, lf);
      if (lf !== -1 && (quote === -1 || lf < quote)) {
        pieces.push(chunk.subarray(start, lf), CRLF);
        this.records += 1;
        this.time = '';
        start = at = lf + 1;
      } else if (quote !== -1) {
        this.inQuotes = true;
        at = quote + 1;
      } else {
        break;
      }
    }
    pieces.push(chunk.subarray(start));
    done(null, Buffer.concat(pieces));
  }
}

/** Times `Date#toISOString` writes with a four-digit year; others take the slow, exact path. */
const MIN_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * `Date#toISOString`, reusing the date, hour and minute of the previous call when they are the
 * same: an export's rows come in time order, so most share their minute with the row before.
 * Written as the keyset path's csv.ts writes it (a year before 0000 starts with `-`, neutralised).
 */
export class IsoMinuteCache {
  private minute = Number.NaN;
  private prefix = '';

  format(ms: number): string {
    if (!(ms >= MIN_MS && ms <= MAX_MS)) return csvCell(new Date(ms).toISOString());
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.prefix = new Date(minute * 60_000).toISOString().slice(0, 17);
    }
    const inMinute = ms - minute * 60_000;
    const seconds = Math.floor(inMinute / 1000);
    const millis = inMinute - seconds * 1000;
    return `${this.prefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }
}
