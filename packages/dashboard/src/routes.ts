import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderId } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';
import { badRequest, json, jsonError } from './http.js';
import { countInventory, filterInventory, type InventoryItem } from './inventory.js';
import { deploymentJson, eventJson, itemJson } from './json.js';
import { date, eventFilter, integer, kinds, phases, required } from './query.js';
import { type LiveHub, serveStream } from './stream.js';

/** What the API answers from. */
export interface ApiContext {
  store: Store;
  hub: LiveHub;
  /** The inventory now: the store's records with what the followers know. */
  inventory: () => Promise<InventoryItem[]>;
  /** Shown by `/api/health`. */
  version: string;
  /** Between `: ping` comments on the stream. */
  pingMs: number;
  /** The server's open streams (each entry ends its stream), for close(). */
  streams: Set<() => void>;
}

type Route = (ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** Answer a request under `/api/` (the API of docs/dashboard.md). */
export async function serveApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  const route = ROUTES[url.pathname];
  if (route) return route(ctx, req, res, url);
  const m = /^\/api\/deployments\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (m) return deployment(ctx, res, m.slice(1).map((s) => decodeURIComponent(s)) as [string, string, string]);
  jsonError(res, 404, 'NOT_FOUND', `no API at ${url.pathname}`);
}

const health: Route = async (ctx, _req, res) => {
  json(res, 200, { ok: true, store: ctx.store.engine, version: ctx.version });
};

const inventory: Route = async (ctx, _req, res, url) => {
  const q = url.searchParams;
  const items = filterInventory(await ctx.inventory(), {
    provider: q.getAll('provider'),
    place: q.getAll('place'),
    name: q.get('name') ?? undefined,
    phase: phases(q.getAll('phase')),
    kind: kinds(q.getAll('kind')),
    since: date(q.get('since'), 'since'),
    until: date(q.get('until'), 'until'),
  });
  json(res, 200, { items: items.map(itemJson), counts: countInventory(items) });
};

/** One page of stored events, newest first; `pageToken` continues. */
const events: Route = async (ctx, _req, res, url) => {
  const q = url.searchParams;
  const limit = integer(q.get('limit'), 'limit', 1, 1000) ?? 200;
  const pages = ctx.store
    .storedEvents({
      ...eventFilter(q),
      since: date(q.get('since'), 'since'),
      until: date(q.get('until'), 'until'),
      resource: q.get('resource') || undefined,
      order: 'newest-first',
      pageSize: limit,
      continuationToken: q.get('pageToken') || undefined,
    })
    .byPage();
  const page = await pages.next();
  await pages.return?.(undefined);
  const items = page.done ? [] : page.value.items;
  const next = page.done ? undefined : page.value.continuationToken;
  json(res, 200, { items: items.map(eventJson), nextPageToken: next ?? null });
};

const deployments: Route = async (ctx, _req, res, url) => {
  const q = url.searchParams;
  const provider = required(q.get('provider'), 'provider') as ProviderId;
  const stack = required(q.get('stack'), 'stack');
  const items = await ctx.store.deployments({ provider, stack });
  json(res, 200, { items: items.map(deploymentJson) });
};

/** The Server-Sent Events stream, resumed after `Last-Event-ID` (or `?after=`). */
const stream: Route = async (ctx, req, res, url) => {
  const q = url.searchParams;
  const header = req.headers['last-event-id'];
  const after = (typeof header === 'string' && header !== '' ? header : undefined) ?? (q.get('after') || undefined);
  if (after !== undefined && !/^\d{1,19}$/.test(after)) {
    throw badRequest('Last-Event-ID (or after) must be a store sequence number');
  }
  await serveStream(req, res, {
    hub: ctx.hub,
    store: ctx.store,
    after,
    filter: eventFilter(q),
    pingMs: ctx.pingMs,
    streams: ctx.streams,
  });
};

/** `/api/deployments/:provider/:stack/:id`. */
async function deployment(ctx: ApiContext, res: ServerResponse, [provider, stack, id]: [string, string, string]) {
  const d = await ctx.store.deployment({ provider: provider as ProviderId, stack, id });
  if (!d) return jsonError(res, 404, 'NOT_FOUND', `no deployment ${id} of ${stack}`);
  json(res, 200, deploymentJson(d));
}

const ROUTES: Record<string, Route> = {
  '/api/health': health,
  '/api/inventory': inventory,
  '/api/events': events,
  '/api/deployments': deployments,
  '/api/stream': stream,
};
