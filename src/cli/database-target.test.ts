import { describe, expect, it } from 'vitest';
import { describeDatabase } from './database-target.js';

describe('the database line a command prints', () => {
  it('hides a password wherever the URL carries it', () => {
    const line = describeDatabase({
      engine: 'postgres',
      url: 'postgres://vault:s3cret@db.internal:5432/vault?password=other-s3cret&sslpassword=key-s3cret&sslmode=require',
    });
    expect(line).not.toMatch(/s3cret/);
    expect(line).toContain('db.internal:5432/vault');
    expect(line).toContain('sslmode=require');
  });
});
