import { execFile } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { configError, toStoreError } from './errors.js';

/** Something SQL can be sent to: the database, or one open transaction. */
export interface Queryable {
  /** Run one statement with `$1…` parameters; resolves to its rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** The engines the store runs on, with the same SQL. */
export type Engine = 'pglite' | 'postgres';

/**
 * The one database seam of the store: two implementations (PGlite in-process, PostgreSQL over
 * the network) behind the same four calls, so every query is written once.
 */
export interface Db extends Queryable {
  readonly engine: Engine;
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves once listening, to a function that stops it. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Where the embedded store lives when no URL is given: `$XDG_DATA_HOME/stackfeed/store` or `~/.local/share/stackfeed/store`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME?.trim() ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'stackfeed', 'store');
}

/** What a store URL names. */
export type StoreLocation = { engine: 'pglite'; dataDir: string | undefined } | { engine: 'postgres'; url: string };

/**
 * Read a store URL: undefined → the embedded store in the default data directory; `:memory:` → an
 * embedded store in memory; `postgres://…` / `postgresql://…` → a PostgreSQL server; `file://…`,
 * `pglite://…` or a path → an embedded store in that directory.
 */
export function parseStoreUrl(url: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (url === undefined || url.trim() === '') return { engine: 'pglite', dataDir: defaultDataDir(env) };
  const u = url.trim();
  if (u === ':memory:' || u === 'memory://') return { engine: 'pglite', dataDir: undefined };
  if (/^postgres(ql)?:\/\//i.test(u)) return { engine: 'postgres', url: u };
  if (/^file:\/\//i.test(u)) return { engine: 'pglite', dataDir: decodeURIComponent(new URL(u).pathname) };
  if (/^pglite:\/\//i.test(u)) return { engine: 'pglite', dataDir: resolve(u.slice('pglite://'.length)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    throw configError(`store URL: unsupported scheme in ${redactUrl(u)} (use postgres://, file:// or a directory)`);
  }
  return { engine: 'pglite', dataDir: resolve(u) };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  }
}

export async function openDb(loc: StoreLocation, pglite?: import('@electric-sql/pglite').PGlite): Promise<Db> {
  if (pglite) return wrapPglite(pglite, () => Promise.resolve());
  return loc.engine === 'postgres' ? openPostgres(loc.url) : openPglite(loc.dataDir);
}

// ---------------------------------------------------------------- PGlite

const LOCK_FILE = 'stackfeed-store.lock';

/**
 * One process owns an embedded data directory (PGlite is one in-process Postgres: two processes
 * on the same files would corrupt it). A lock file holds the owner's pid; a lock left by a dead
 * process (a crash, SIGKILL) is taken over.
 */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStoreError(err, 'openStore', 'pglite');
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw configError(
          `store: the embedded store in ${dir} is open in process ${owner}; one process at a time can use an embedded store (use a postgres:// store for several)`,
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw configError(`store: could not take the lock of the embedded store in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Postgres's 128 MB default of shared buffers lives in the WASM heap of this process (PGlite reads
 * and writes the data directory through the OS, whose page cache still serves it): 16 MB halves the
 * resident size of an opened store (+240 → +112 MB) at no measured cost to archive or history
 * queries (docs/performance.md, "Store"). A caller who wants other settings passes its own PGlite.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/**
 * Creating a data directory runs initdb inside the WASM heap, which grows to ~650 MB and never
 * shrinks: done in a short-lived child process, the store's own process stays at its steady size.
 * The child builds the cluster in a sibling directory whose entries move in afterwards, PG_VERSION
 * last, so a directory with PG_VERSION is always complete. Any failure (no child processes
 * allowed, say) leaves the directory to PGlite in-process, as before.
 */
async function initDataDirInChild(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  // Only a directory that holds nothing but our lock is ours to fill.
  if (readdirSync(dataDir).some((name) => name !== LOCK_FILE)) return;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  } catch {
    return;
  }
  const staging = join(dirname(dataDir), `.${basename(dataDir)}.init-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const script =
    'const { PGlite } = require(process.argv[1]);' +
    'PGlite.create(process.argv[2]).then((pg) => pg.close()).catch(() => process.exit(1));';
  const ok = await new Promise<boolean>((done) => {
    execFile(process.execPath, ['-e', script, entry, staging], { timeout: 120_000, windowsHide: true }, (err) =>
      done(!err),
    );
  });
  try {
    if (!ok || !existsSync(join(staging, 'PG_VERSION'))) return;
    const names = readdirSync(staging).filter((name) => name !== 'PG_VERSION');
    for (const name of names) renameSync(join(staging, name), join(dataDir, name));
    renameSync(join(staging, 'PG_VERSION'), join(dataDir, 'PG_VERSION'));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let pg: import('@electric-sql/pglite').PGlite;
  try {
    // Loaded on open: a user of the PostgreSQL engine never loads the WASM build.
    const { PGlite } = await import('@electric-sql/pglite');
    if (dataDir) await initDataDirInChild(dataDir);
    pg = dataDir
      ? await PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] })
      : await PGlite.create();
  } catch (err) {
    unlock();
    throw toStoreError(err, 'openStore', 'pglite');
  }
  return wrapPglite(pg, async () => {
    try {
      await pg.close();
    } finally {
      unlock();
    }
  });
}

/** The Db seam over one PGlite instance; `release` runs on close (the instance is left open when the caller owns it). */
function wrapPglite(pg: import('@electric-sql/pglite').PGlite, release: () => Promise<void>): Db {
  const wrap = (q: { query: (s: string, p?: unknown[]) => Promise<{ rows: unknown[] }> }): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[]) =>
      (await q.query(sql, params ? [...params] : undefined)).rows as R[],
  });
  const self = wrap(pg);
  let closed = false;
  return {
    engine: 'pglite',
    query: self.query,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    listen: async (channel, onPayload) => {
      const stop = await pg.listen(channel, onPayload);
      return async () => {
        if (!closed) await stop();
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await release();
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

async function openPostgres(url: string): Promise<Db> {
  const { default: pgLib } = await import('pg');
  const pool = new pgLib.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process: the next query reports it.
  pool.on('error', () => {});
  const listeners: import('pg').Client[] = [];
  const query = async <R>(sql: string, params?: readonly unknown[]): Promise<R[]> =>
    (await pool.query(sql, params ? [...params] : undefined)).rows as R[];
  try {
    await query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw toStoreError(err, 'openStore', `postgres ${redactUrl(url)}`);
  }
  return {
    engine: 'postgres',
    query,
    transaction: async (fn) => {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('begin');
        const tx: Queryable = {
          query: async <R>(sql: string, params?: readonly unknown[]) =>
            (await client.query(sql, params ? [...params] : undefined)).rows as R[],
        };
        const out = await fn(tx);
        await client.query('commit');
        return out;
      } catch (err) {
        try {
          await client.query('rollback');
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    listen: async (channel, onPayload) => {
      // LISTEN needs a session of its own: a pooled client would hand the session to other queries.
      const client = new pgLib.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      client.on('error', () => {});
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel) onPayload(n.payload ?? '');
      });
      await client.query(`listen ${quoteIdent(channel)}`);
      listeners.push(client);
      return async () => {
        const i = listeners.indexOf(client);
        if (i >= 0) listeners.splice(i, 1);
        await client.end().catch(() => {});
      };
    },
    close: async () => {
      await Promise.all(listeners.splice(0).map((c) => c.end().catch(() => {})));
      await pool.end();
    },
  };
}

/** A SQL identifier, quoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
