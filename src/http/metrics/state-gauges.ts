import { Gauge, type Registry } from 'prom-client';
import type { PoolState } from '../../db/database.js';
import type { HealthProbe } from '../health.js';

/** What the gauges read when scraped; each is cheap and none is kept up to date in between. */
export interface StateSources {
  probe: HealthProbe;
  /** Open event streams on this instance. */
  openStreams: () => number;
  liveSessions: () => Promise<number>;
  /** Every activity stream's lag behind its org's log, and its state. */
  streamLags: () => Promise<Array<{ id: string; state: string; lag: number }>>;
  /** PostgreSQL's pool, absent on SQLite. */
  poolState: (() => PoolState) | undefined;
  /** Told when a gauge could not be read; the scrape goes on without it. */
  onError: (error: unknown) => void;
}

/** Gauges read from their sources at each scrape, so nothing on the request path updates them. */
export function registerStateGauges(registry: Registry, sources: StateSources): void {
  const registers = [registry];
  new Gauge({
    name: 'vault_database_up',
    help: 'Whether the database answered the background probe within the last second (as /api/health)',
    registers,
    collect() {
      this.set(sources.probe.healthy() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'vault_database_probe_last_success_timestamp_seconds',
    help: 'When the database last answered the background probe (0: never since start)',
    registers,
    collect() {
      this.set(sources.probe.lastSuccessAt() / 1000);
    },
  });
  new Gauge({
    name: 'vault_event_streams_open',
    help: 'Open event streams (GET /api/sessions/stream) on this instance',
    registers,
    collect() {
      this.set(sources.openStreams());
    },
  });
  new Gauge({
    name: 'vault_live_sessions',
    help: 'Sessions of all orgs neither ended nor idle, as stored (shared by all instances)',
    registers,
    async collect() {
      // A database that does not answer keeps the last count; vault_database_up tells why.
      await sources.liveSessions().then((count) => this.set(count), sources.onError);
    },
  });
  new Gauge({
    name: 'vault_stream_lag_events',
    help: 'Activities of the org not yet delivered by each stream (shared by all instances)',
    labelNames: ['stream', 'state'],
    registers,
    async collect() {
      await sources.streamLags().then((lags) => {
        // A deleted stream's series goes away rather than stay at its last lag.
        this.reset();
        for (const { id, state, lag } of lags) this.set({ stream: id, state }, lag);
      }, sources.onError);
    },
  });
  const pool = sources.poolState;
  if (!pool) return;
  const poolGauge = (name: string, help: string, read: (state: PoolState) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(pool()));
      },
    });
  poolGauge('vault_database_pool_connections', 'PostgreSQL pool: open connections', (s) => s.total);
  poolGauge('vault_database_pool_idle_connections', 'PostgreSQL pool: idle connections', (s) => s.idle);
  poolGauge(
    'vault_database_pool_waiting_queries',
    'PostgreSQL pool: queries waiting for a connection',
    (s) => s.waiting,
  );
}
