import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isRefusedData } from './refused-data.js';

const thrownBy = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

describe('isRefusedData', () => {
  it('knows PostgreSQL’s data exceptions and constraint violations from everything else', () => {
    for (const code of ['22001', '22021', '23505', '23514', '23P01'])
      expect(isRefusedData(Object.assign(new Error(), { code }))).toBe(true);
    for (const code of ['08006', '40001', '57P01', '53300', 'ECONNRESET', 'ETIMEDOUT', '42P01'])
      expect(isRefusedData(Object.assign(new Error(), { code }))).toBe(false);
    expect(isRefusedData(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isRefusedData(undefined)).toBe(false);
  });

  it('knows SQLite’s refusals as better-sqlite3 reports them', () => {
    const db = new SQLite(':memory:');
    db.exec('create table t (k text primary key, n integer not null)');
    db.prepare('insert into t values (?, ?)').run('a', 1);
    expect(isRefusedData(thrownBy(() => db.prepare('insert into t values (?, ?)').run('a', 2)))).toBe(true);
    expect(isRefusedData(thrownBy(() => db.prepare('insert into t values (?, ?)').run('b', null)))).toBe(
      true,
    );
    expect(isRefusedData(thrownBy(() => db.prepare('select * from missing').all()))).toBe(false);
    db.close();
  });
});
