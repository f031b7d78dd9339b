import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Phase, ProviderId } from '@stackfeed/core';
import type { Store, Subscription } from '@stackfeed/store';
import type { InventoryItem } from './inventory.js';
import { eventJson, itemJson, toBody } from './json.js';
import type { KnownTarget, TargetBoard } from './targets.js';

/** One SSE message besides the stack events: `inventory`, `provider-error`, `provider-ok`. */
export interface HubMessage {
  event: 'inventory' | 'provider-error' | 'provider-ok';
  data: unknown;
}

/** A stored event arriving, after this long without another one, recomputes the inventory. */
const SETTLE_MS = 200;

/**
 * What every stream shares: the inventory as last computed, recomputed when events are stored,
 * when a follow loop reports an error or a recovery, and every `targetsPollMs` (for targets read
 * from elsewhere, e.g. a fleet); changed items go to every open stream.
 */
export class LiveHub {
  private readonly listeners = new Set<(m: HubMessage) => void>();
  private last = new Map<string, { sig: string; item: InventoryItem }>();
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private offBoard: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private dirty = false;

  constructor(
    private readonly store: Store,
    private readonly options: {
      board?: TargetBoard | undefined;
      targets?: (() => Promise<readonly KnownTarget[]>) | undefined;
      targetsPollMs: number;
      inventory: () => Promise<InventoryItem[]>;
    },
  ) {}

  async start(): Promise<void> {
    await this.refresh(false);
    this.offBoard = this.options.board?.onChange(() => this.schedule(0));
    if (this.options.targets) {
      this.poll = setInterval(() => this.schedule(0), this.options.targetsPollMs);
      this.poll.unref();
    }
    this.follow();
  }

  /** Every committed event marks the inventory stale (one subscription for the whole server). */
  private follow(): void {
    if (this.stopped) return;
    const sub = this.store.subscribe();
    this.sub = sub;
    void (async () => {
      try {
        for await (const _ev of sub) this.schedule(SETTLE_MS);
      } catch {
        // Fell behind (or the connection dropped): start again; the inventory is read whole anyway.
      }
      if (!this.stopped) setTimeout(() => this.follow(), 1000).unref();
    })();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.refresh(true)).catch(() => {});
    }, ms);
    this.timer.unref();
  }

  private async refresh(emit: boolean): Promise<void> {
    if (this.stopped || (emit && !this.dirty)) return;
    this.dirty = false;
    const items = await this.options.inventory();
    const next = new Map<string, { sig: string; item: InventoryItem }>();
    for (const item of items) {
      const sig = JSON.stringify(itemJson(item));
      next.set(item.key, { sig, item });
      const before = this.last.get(item.key);
      if (!emit || before?.sig === sig) continue;
      this.send({ event: 'inventory', data: itemJson(item) });
      const was = before?.item.error;
      const now = item.error;
      if (now && (!was || was.count !== now.count || was.lastSeen.getTime() !== now.lastSeen.getTime())) {
        this.send({
          event: 'provider-error',
          data: { key: item.key, code: now.code, message: now.message, count: now.count, lastSeen: now.lastSeen },
        });
      } else if (!now && was) {
        this.send({ event: 'provider-ok', data: { key: item.key } });
      }
    }
    this.last = next;
  }

  private send(m: HubMessage): void {
    for (const l of this.listeners) l(m);
  }

  listen(listener: (m: HubMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.offBoard?.();
    await this.sub?.close();
    await this.running;
  }
}

/** Options of one `/api/stream` response. */
export interface StreamOptions {
  hub: LiveHub;
  store: Store;
  /** Resume after this store sequence number (Last-Event-ID, or `?after=`). */
  after: string | undefined;
  filter: {
    provider?: ProviderId | undefined;
    stack?: string | undefined;
    phase?: Phase[] | undefined;
    text?: string | undefined;
  };
  pingMs: number;
  /** The server's open streams (each entry ends its stream), for close(). */
  streams: Set<() => void>;
}

/**
 * One Server-Sent Events response: the stored events after `after` (from the store, not from
 * memory), then the live ones, each with its store sequence number as `id`; the hub's messages
 * in between; a `: ping` comment every `pingMs`. Ends when the client goes, or when the feed
 * fails (the client then reconnects with its Last-Event-ID and loses nothing).
 */
export async function serveStream(req: IncomingMessage, res: ServerResponse, o: StreamOptions): Promise<void> {
  const feed = o.store.feed({ ...o.filter, after: o.after });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(ping);
    stopHub();
    o.streams.delete(end);
    void feed.close();
    res.end();
  };
  o.streams.add(end);
  req.on('close', end);
  res.on('close', end);
  // Listening before the answer starts: a client that has the headers misses no later commit.
  try {
    await feed.ready;
  } catch {
    // The live subscription failed to start: reading it below ends the stream with its error.
  }
  if (ended) return;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  // The browser reconnects after 2 s with its Last-Event-ID.
  res.write('retry: 2000\n\n');
  const write = (chunk: string): Promise<void> | undefined => {
    if (ended) return undefined;
    if (res.write(chunk)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  const stopHub = o.hub.listen((m) => void write(`event: ${m.event}\ndata: ${toBody(m.data)}\n\n`));
  const ping = setInterval(() => void write(': ping\n\n'), o.pingMs);
  ping.unref();
  try {
    for await (const s of feed) {
      if (ended) break;
      await write(`id: ${s.seq}\nevent: stack-event\ndata: ${toBody(eventJson(s))}\n\n`);
    }
  } catch {
    // The feed failed (the reader fell behind, the database went away): end; the client resumes.
  } finally {
    end();
  }
}
