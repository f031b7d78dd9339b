/**
 * The dashboard server: watches every target with the SDK, merges the streams into one
 * time-ordered feed (`mergeEvents`), and streams it to browsers as Server-Sent Events, in the same
 * record shapes as `stackfeed ... --output ndjson` (docs/cli.md). Serves the page from ../public.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventRecord, imageRecord, resultRecord } from '@stackfeed/cli';
import { mergeEvents, type StackEvent, StackfeedError } from '@stackfeed/core';
import type { DashboardSources } from './sources.js';

const PUBLIC = join(import.meta.dirname, '..', 'public');
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * One SSE message: `event:` type, `data:` JSON, `id:` for Last-Event-ID resume. Provider errors are
 * `provider-error`, never `error`: that name is the browser's own for a lost connection.
 */
interface Message {
  id: number;
  type: 'hello' | 'event' | 'result' | 'provider-error' | 'images';
  data: unknown;
}

/** A provider error as the page gets it: the same failure repeated is one entry with a count. */
export interface ProblemRecord {
  /** Stable per (provider, target, code, message): the page replaces the entry it already has. */
  key: string;
  provider?: string;
  /** The deployment it belongs to; absent for an image listing. */
  target?: string;
  code: string;
  message: string;
  httpStatus?: number;
  providerCode?: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
}

/** A credential-free view of any thrown value. */
function describe(err: unknown): { code: string; message: string; httpStatus?: number; providerCode?: string } {
  if (StackfeedError.is(err)) {
    const j = err.toJSON() as { code: string; message: string; httpStatus?: number; providerCode?: string };
    return {
      code: j.code,
      message: j.message,
      ...(j.httpStatus !== undefined ? { httpStatus: j.httpStatus } : {}),
      ...(j.providerCode !== undefined ? { providerCode: j.providerCode } : {}),
    };
  }
  return { code: 'UNKNOWN', message: err instanceof Error ? err.message : String(err) };
}

export interface DashboardOptions {
  port?: number;
  host?: string;
  /** Merge lateness: how long an event waits for earlier events from slower providers (ms). */
  latenessMs?: number;
  /** How often images are listed again (ms, default 2000). */
  imageRefreshMs?: number;
  /** Events kept for browsers that connect later (default 10000). */
  historyLimit?: number;
}

export interface Dashboard {
  url: string;
  /** Resolves when every watch has ended. */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Starts watching and serving. */
export async function startDashboard(sources: DashboardSources, options: DashboardOptions = {}): Promise<Dashboard> {
  const ac = new AbortController();
  const history: Message[] = [];
  const historyLimit = options.historyLimit ?? 10_000;
  let images: Message | undefined;
  /** The latest message of each distinct problem: state, like images, not history that piles up. */
  const problems = new Map<string, Message>();
  let seq = 0;
  const clients = new Set<ServerResponse>();

  // State replayed on connect (problems, images) goes without `id:`, so it cannot move the browser's
  // Last-Event-ID past history it has not seen.
  const send = (res: ServerResponse, m: Message, withId = true) =>
    res.write(`${withId ? `id: ${m.id}\n` : ''}event: ${m.type}\ndata: ${JSON.stringify(m.data)}\n\n`);
  const publish = (type: Message['type'], data: unknown) => {
    const m: Message = { id: ++seq, type, data };
    if (type === 'images') images = m;
    else if (type === 'provider-error') problems.set((data as ProblemRecord).key, m);
    else {
      history.push(m);
      if (history.length > historyLimit) history.splice(0, history.length - historyLimit);
    }
    for (const c of clients) send(c, m);
  };

  const hello = {
    targets: sources.targets.map((t) => ({ provider: t.provider, target: t.target })),
  };

  const problem = (err: unknown, provider?: string, target?: string) => {
    const d = describe(err);
    const key = JSON.stringify([provider ?? '', target ?? '', d.code, d.message]);
    const now = new Date().toISOString();
    const before = problems.get(key)?.data as ProblemRecord | undefined;
    const record: ProblemRecord = {
      key,
      ...(provider ? { provider } : {}),
      ...(target !== undefined ? { target } : {}),
      ...d,
      count: (before?.count ?? 0) + 1,
      firstSeen: before?.firstSeen ?? now,
      lastSeen: now,
    };
    publish('provider-error', record);
  };

  // Watch + merge: one time-ordered feed of every provider. A target that cannot even start (bad
  // config, missing credentials) is reported on its card; the others run.
  const streams = sources.targets.map((t) => {
    try {
      return { t, stream: t.watch(ac.signal) };
    } catch (err) {
      problem(err, t.provider, t.target);
      return { t, stream: undefined };
    }
  });
  const tagged = streams.flatMap(({ t, stream }) =>
    stream === undefined
      ? []
      : (async function* () {
          let n = 0;
          for await (const ev of stream) {
            n++;
            yield { ev, t, timestamp: ev.timestamp };
          }
          publish('result', resultRecord(t.provider, t.target, stream.result, n));
        })(),
  );
  const running = streams.filter((s) => s.stream !== undefined);
  const done = (async () => {
    try {
      for await (const { ev, t } of mergeEvents(tagged, {
        mode: 'live',
        latenessMs: options.latenessMs ?? Math.min(3000, Math.max(500, sources.pollIntervalMs * 4)),
        signal: ac.signal,
        onStreamError: 'drop',
        onDropped: (i, err) => {
          const target = running[i]?.t;
          problem(err, target?.provider, target?.target);
        },
      })) {
        publish('event', { ...eventRecord(ev as StackEvent), target: t.target });
      }
    } catch (err) {
      if (!ac.signal.aborted) problem(err);
    }
  })();

  // Images, listed again now and then.
  const refreshImages = async () => {
    const items: unknown[] = [];
    for (const feed of sources.images) {
      try {
        for await (const img of feed.list(ac.signal)) items.push(imageRecord(img));
      } catch (err) {
        if (ac.signal.aborted) return;
        problem(err, feed.provider);
      }
    }
    publish('images', { items });
  };
  let imageTimer: ReturnType<typeof setTimeout> | undefined;
  const loopImages = async () => {
    await refreshImages();
    if (!ac.signal.aborted) imageTimer = setTimeout(loopImages, options.imageRefreshMs ?? 2000);
  };
  void loopImages();

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write('retry: 1000\n\n');
      send(res, { id: 0, type: 'hello', data: hello });
      // Replay what this browser has not seen (all of it, or after its Last-Event-ID).
      const last = Number(req.headers['last-event-id'] ?? 0) || 0;
      for (const m of history) if (m.id > last) send(res, m);
      for (const m of problems.values()) send(res, m, false);
      if (images) send(res, images, false);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/api/state') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...hello,
          messages: history.length,
          problems: [...problems.values()].map((m) => m.data),
          images: images?.data ?? { items: [] },
        }),
      );
      return;
    }
    const file = STATIC[path];
    if (!file || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      const body = await readFile(join(PUBLIC, file));
      res.writeHead(200, { 'content-type': TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    done,
    close: async () => {
      ac.abort();
      if (imageTimer) clearTimeout(imageTimer);
      for (const c of clients) c.end();
      clients.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await done.catch(() => {});
      await sources.close();
    },
  };
}
