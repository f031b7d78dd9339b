import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { openStore, type Store } from '@stackfeed/store';
import { afterAll, inject } from 'vitest';
import { type Emulators, startScenario } from './scenario.js';

export { type Emulators, fill } from './scenario.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `postgres://…` of the private cluster (the store's test setup), or why there is none. */
    postgres: { url?: string; error?: string };
  }
}

export function postgresUrl(): string {
  const pg = inject('postgres');
  if (!pg.url) throw new Error(`no PostgreSQL server for the dashboard tests: ${pg.error}`);
  return pg.url;
}

export const freshSchema = () => `d_${randomBytes(6).toString('hex')}`;

let sharedPglite: Promise<PGlite> | undefined;
function pglite(): Promise<PGlite> {
  sharedPglite ??= PGlite.create();
  return sharedPglite;
}

export interface EngineCase {
  name: 'pglite' | 'postgres';
  /** A fresh store (a schema of its own). */
  open(schema?: string): Promise<Store>;
}

export const ENGINES: EngineCase[] = [
  {
    name: 'pglite',
    open: async (schema) => openStore(undefined, { schema: schema ?? freshSchema(), pglite: await pglite() }),
  },
  { name: 'postgres', open: (schema) => openStore(postgresUrl(), { schema: schema ?? freshSchema() }) },
];

afterAll(async () => {
  const p = sharedPglite;
  sharedPglite = undefined;
  if (p) await (await p).close();
});

/** The emulators' credentials: no response may ever contain one. */
export const RFS_KEYS = { accessKey: 'DASHTESTAKEXAMPLE0001', secretKey: 'dash-test-secret-key-must-not-leak-0001' };
export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

/** The scenario's emulators at T0, signed with {@link RFS_KEYS}. */
export const startEmulators = (): Promise<Emulators> =>
  startScenario({ t0: T0, rfsKeys: RFS_KEYS, retry: { baseDelayMs: 1, maxDelayMs: 4 } });

/** One parsed Server-Sent Events message. */
export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/**
 * A streaming reader of `/api/stream` (fetch, as the page's EventSource would read it): `next()`
 * gives the next message (comments skipped), `close()` hangs up.
 */
export async function openStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; next(): Promise<SseMessage>; close(): void }> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const next = async (): Promise<SseMessage> => {
    while (true) {
      const end = buf.indexOf('\n\n');
      if (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const msg: SseMessage = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') msg.event = value;
          else if (field === 'id') msg.id = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0) continue;
        msg.data = data.join('\n');
        return msg;
      }
      const chunk = await reader?.read();
      if (!chunk || chunk.done) throw new Error('the stream ended');
      buf += decoder.decode(chunk.value, { stream: true });
    }
  };
  return { status: res.status, headers: res.headers, next, close: () => ac.abort() };
}

/** The next message of the given event name (others skipped). */
export async function nextOf(stream: { next(): Promise<SseMessage> }, event: string): Promise<SseMessage> {
  while (true) {
    const m = await stream.next();
    if (m.event === event) return m;
  }
}
