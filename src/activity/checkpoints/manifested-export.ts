import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform } from 'node:stream';
import type { Actor } from '../../kernel/actor.js';
import { newId } from '../../kernel/ids.js';
import type { ChainPosition, CheckpointService } from './checkpoints.service.js';

/** The export as the activity service starts it, told its rows and the head it was read from. */
export type StartExport = (options: {
  onRows: (count: number) => void;
  onHead: (head: ChainPosition) => void;
}) => Promise<{ range: { from: number; until: number }; stream: Readable }>;

/**
 * An HTTP export with `?manifest=1`: the bytes are hashed as they leave, and once the last one
 * has, the signed manifest is stored under `id` (what the response's `X-Vault-Manifest` names).
 * A download cut short stores none: there is no file it could describe.
 */
export async function manifestedExport(
  checkpoints: CheckpointService,
  actor: Actor,
  format: 'csv' | 'jsonl',
  start: StartExport,
  onStoreFailed: (error: unknown) => void,
) {
  const id = newId();
  let rows = 0;
  let head: ChainPosition | undefined;
  const exported = await start({
    onRows: (count) => {
      rows = count;
    },
    onHead: (position) => {
      head = position;
    },
  });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // pipeline, not pipe: a client that leaves destroys the export too, which gives its slot back.
  const stream = pipeline(exported.stream, tap, (error) => {
    if (error || !head) return;
    const signed = { rowCount: rows, bytes, sha256: hash.digest('hex'), ...head };
    checkpoints.storeExportManifest(actor, id, format, signed).catch(onStoreFailed);
  });
  return { id, range: exported.range, stream };
}
