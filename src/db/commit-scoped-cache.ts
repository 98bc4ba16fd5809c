import { oncePerTurn } from './per-turn.js';

/**
 * Remembers values read from SQLite until the database file reports a commit by any connection.
 * `version` is `PRAGMA data_version` on the connection the values are read through: it moves
 * whenever another connection — this process's writer, the CLI, another process — commits.
 *
 * The version is read once per event-loop turn, after the turn's network reads, and every lookup
 * waits for that read. So each lookup is checked against a version read after its request arrived:
 * nothing remembered outlives a commit that finished before the request was sent, while a busy
 * turn of many requests pays for one read.
 */
export class CommitScopedCache<Value extends object> {
  private readonly entries = new Map<string, Readonly<Value>>();
  private seenVersion: unknown;
  private readonly checkVersion = oncePerTurn(() => {
    const version = this.version();
    if (version !== this.seenVersion) {
      this.entries.clear();
      this.seenVersion = version;
    }
  });

  constructor(
    private readonly version: () => unknown,
    private readonly maxEntries: number,
  ) {}

  /**
   * `load` must be synchronous: a load spanning turns could store what it read before a commit
   * under the version read after it.
   */
  async get(key: string, load: () => Value | undefined): Promise<Readonly<Value> | undefined> {
    await this.checkVersion();
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const value = load();
    // Misses are not remembered: a stream of made-up keys must not fill memory.
    if (value === undefined) return undefined;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    const frozen = Object.freeze(value);
    this.entries.set(key, frozen);
    return frozen;
  }
}
