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

/** One SSE message: `event:` type, `data:` JSON, `id:` for Last-Event-ID resume. */
interface Message {
  id: number;
  type: 'hello' | 'event' | 'result' | 'error' | 'images';
  data: unknown;
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
  let seq = 0;
  const clients = new Set<ServerResponse>();

  const send = (res: ServerResponse, m: Message) =>
    res.write(`id: ${m.id}\nevent: ${m.type}\ndata: ${JSON.stringify(m.data)}\n\n`);
  const publish = (type: Message['type'], data: unknown) => {
    const m: Message = { id: ++seq, type, data };
    if (type === 'images') images = m;
    else {
      history.push(m);
      if (history.length > historyLimit) history.splice(0, history.length - historyLimit);
    }
    for (const c of clients) send(c, m);
  };

  const hello = {
    targets: sources.targets.map((t) => ({ provider: t.provider, target: t.target })),
  };

  // Watch + merge: one time-ordered feed of every provider.
  const streams = sources.targets.map((t) => ({ t, stream: t.watch(ac.signal) }));
  const tagged = streams.map(({ t, stream }) =>
    (async function* () {
      let n = 0;
      for await (const ev of stream) {
        n++;
        yield { ev, t, timestamp: ev.timestamp };
      }
      publish('result', resultRecord(t.provider, t.target, stream.result, n));
    })(),
  );
  const done = (async () => {
    try {
      for await (const { ev, t } of mergeEvents(tagged, {
        mode: 'live',
        latenessMs: options.latenessMs ?? Math.min(3000, Math.max(500, sources.pollIntervalMs * 4)),
        signal: ac.signal,
        onStreamError: 'drop',
        onDropped: (i, err) => {
          const target = streams[i]?.t;
          publish('error', {
            provider: target?.provider,
            target: target?.target,
            ...(StackfeedError.is(err) ? err.toJSON() : { code: 'UNKNOWN', message: String(err) }),
          });
        },
      })) {
        publish('event', { ...eventRecord(ev as StackEvent), target: t.target });
      }
    } catch (err) {
      if (!ac.signal.aborted) publish('error', StackfeedError.is(err) ? err.toJSON() : { message: String(err) });
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
        publish('error', {
          provider: feed.provider,
          ...(StackfeedError.is(err) ? err.toJSON() : { message: String(err) }),
        });
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
      if (images) send(res, images);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/api/state') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...hello, messages: history.length, images: images?.data ?? { items: [] } }));
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
