import { randomUUID } from 'node:crypto';

/** A random, unguessable public identifier for rows (orgs, users, sessions). */
export function newId(): string {
  return randomUUID();
}
