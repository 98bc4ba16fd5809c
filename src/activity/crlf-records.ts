import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

/**
 * Rewrites CSV whose records end in LF (PostgreSQL's COPY) to RFC 4180's CRLF, and counts the
 * records. An LF inside a quoted cell is part of the cell and stays as it is: whether we are inside
 * quotes is the parity of the quotes seen so far (an escaped quote, `""`, flips it twice).
 */
export class CrlfRecords extends Transform {
  records = 0;
  private inQuotes = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const pieces: Buffer[] = [];
    let start = 0;
    let at = 0;
    let nextQuote = chunk.indexOf(QUOTE, at);
    for (;;) {
      if (this.inQuotes) {
        if (nextQuote === -1) break;
        this.inQuotes = false;
        at = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, at);
        continue;
      }
      const nextLf = chunk.indexOf(LF, at);
      if (nextLf !== -1 && (nextQuote === -1 || nextLf < nextQuote)) {
        pieces.push(chunk.subarray(start, nextLf), CRLF);
        this.records += 1;
        start = at = nextLf + 1;
      } else if (nextQuote !== -1) {
        this.inQuotes = true;
        at = nextQuote + 1;
        nextQuote = chunk.indexOf(QUOTE, at);
      } else {
        break;
      }
    }
    pieces.push(chunk.subarray(start));
    done(null, Buffer.concat(pieces));
  }
}
