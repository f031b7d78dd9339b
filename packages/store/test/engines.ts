import { randomBytes } from 'node:crypto';
import type { StackEvent } from '@stackfeed/core';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, inject } from 'vitest';
import { type OpenStoreOptions, openStore, type Store } from '../src/index.js';

/** A store URL per engine; each PostgreSQL test gets a schema of its own on the run's private server. */
export interface EngineCase {
  name: 'pglite' | 'postgres';
  /** The URL to open (a fresh in-memory PGlite, or the private PostgreSQL server). */
  url(): string;
  /** Open a fresh, empty store. */
  open(options?: OpenStoreOptions): Promise<Store>;
}

export function postgresUrl(): string {
  const pg = inject('postgres');
  if (!pg.url) throw new Error(`no PostgreSQL server for the store tests: ${pg.error}`);
  return pg.url;
}

export const freshSchema = () => `t_${randomBytes(6).toString('hex')}`;

/** One in-memory PGlite per test file (a boot compiles the WASM build: seconds), a schema per test. */
let sharedPglite: Promise<PGlite> | undefined;
export function pglite(): Promise<PGlite> {
  sharedPglite ??= PGlite.create();
  return sharedPglite;
}

export const ENGINES: EngineCase[] = [
  {
    name: 'pglite',
    url: () => ':memory:',
    open: async (o) => openStore(undefined, { schema: freshSchema(), pglite: await pglite(), ...o }),
  },
  {
    name: 'postgres',
    url: postgresUrl,
    open: (o) => openStore(postgresUrl(), { schema: freshSchema(), ...o }),
  },
];

/** `fresh()` opens a new store on `engine`; every store it opened is closed after each test. */
export function freshStores(engine: EngineCase): (options?: OpenStoreOptions) => Promise<Store> {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  return async (options) => {
    const s = await engine.open(options);
    open.push(s);
    return s;
  };
}

/** A Heat-like event: second-granularity times, a provider id, a stack id and name. */
export function makeEvent(i: number, over: Partial<StackEvent> = {}): StackEvent {
  return {
    provider: 'openstack-heat',
    id: `ev-${String(i).padStart(6, '0')}`,
    timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    stack: { id: 'stack-1', name: 'web' },
    resource: { logicalId: `res${i % 5}`, physicalId: `phys-${i}`, type: 'OS::Heat::RandomString' },
    action: 'CREATE',
    phase: i % 7 === 6 ? 'FAILED' : 'COMPLETE',
    status: i % 7 === 6 ? 'CREATE_FAILED' : 'CREATE_COMPLETE',
    message: `state changed ${i}`,
    raw: { id: `ev-${i}`, n: i },
    ...over,
  };
}

export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

afterAll(async () => {
  const p = sharedPglite;
  sharedPglite = undefined;
  if (p) await (await p).close();
});
