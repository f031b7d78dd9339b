import type { EventEmitter } from 'node:events';
import type { Db, Engine } from './db.js';
import { toStoreError } from './errors.js';

/** What the store's parts share: its database, and the names its tables and notifications go under. */
export interface StoreContext {
  readonly db: Db;
  readonly engine: Engine;
  /** The schema's name (`store.schema`). */
  readonly schema: string;
  /** The schema as an SQL identifier (quoted): the prefix of every table name. */
  readonly quotedSchema: string;
  /** The PostgreSQL channel that carries the sequence numbers of committed events. */
  readonly channel: string;
  /** In-process delivery of committed events (the embedded engine has no other process to tell). */
  readonly local: EventEmitter;
}

/** `fn` on the store's database, its failure reported as the store's error of `operation`. */
export async function runOnDb<T>(ctx: StoreContext, operation: string, fn: (db: Db) => Promise<T>): Promise<T> {
  try {
    return await fn(ctx.db);
  } catch (err) {
    throw toStoreError(err, operation, ctx.engine);
  }
}
