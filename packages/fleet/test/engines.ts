import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { openStore, type Store } from '@stackfeed/store';
import { afterAll, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…` of the private cluster (the store's test setup), or why there is none. */
    postgres: { url?: string; error?: string };
  }
}

export function postgresUrl(): string {
  const pg = inject('postgres');
  if (!pg.url) throw new Error(`no PostgreSQL server for the fleet tests: ${pg.error}`);
  return pg.url;
}

export const freshSchema = () => `f_${randomBytes(6).toString('hex')}`;

let sharedPglite: Promise<PGlite> | undefined;
function pglite(): Promise<PGlite> {
  sharedPglite ??= PGlite.create();
  return sharedPglite;
}

export interface EngineCase {
  name: 'pglite' | 'postgres';
  /** A fresh store (its own schema). On PostgreSQL, `again(schema)` opens another connection to the same one. */
  open(schema?: string): Promise<Store>;
}

export const ENGINES: EngineCase[] = [
  {
    name: 'pglite',
    open: async (schema) => openStore(undefined, { schema: schema ?? freshSchema(), pglite: await pglite() }),
  },
  { name: 'postgres', open: (schema) => openStore(postgresUrl(), { schema: schema ?? freshSchema() }) },
];

/** Poll `check` until it returns true; fails after `guardMs` (a guard against a hang, not a timing claim). */
export async function until(check: () => boolean | Promise<boolean>, what: string, guardMs = 90_000): Promise<void> {
  const end = Date.now() + guardMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterAll(async () => {
  const p = sharedPglite;
  sharedPglite = undefined;
  if (p) await (await p).close();
});
