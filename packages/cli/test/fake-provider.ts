/**
 * A tiny provider for the CLI's tests: a scripted stack service on core's emulator harness, and a
 * plugin that reads it through core's HttpTransport, createPaginator and watchEvents — the same
 * parts a real adapter uses. Each status check advances the scenario by one step, so a follow
 * sees the deployment progress without any timing in the test.
 */
import type { ImageInfo, ProviderId, StackEvent, StackInfo } from '@stackfeed/core';
import { applyEventFilters, createPaginator, HttpTransport, watchEvents } from '@stackfeed/core/adapter';
import { type EmulatorServer, Router, startEmulator } from '@stackfeed/emulator';
import type { ProviderPlugin, ProviderSession } from '../src/index.js';

interface WireEvent {
  id: string;
  time: string;
  resource: string;
  type: string;
  status: string;
  reason: string;
}

/** Scripted deployments: each step makes the next event visible. */
export const SCENARIOS: Record<string, Array<Omit<WireEvent, 'id' | 'time'>>> = {
  web: [
    { resource: 'web', type: 'Stack', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
    { resource: 'net', type: 'Net', status: 'CREATE_IN_PROGRESS', reason: 'state changed' },
    { resource: 'net', type: 'Net', status: 'CREATE_COMPLETE', reason: 'state changed' },
    { resource: 'server', type: 'Server', status: 'CREATE_IN_PROGRESS', reason: 'state changed' },
    { resource: 'server', type: 'Server', status: 'CREATE_COMPLETE', reason: 'state changed' },
    { resource: 'web', type: 'Stack', status: 'CREATE_COMPLETE', reason: 'Stack CREATE completed successfully' },
  ],
  bad: [
    { resource: 'bad', type: 'Stack', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
    { resource: 'volume', type: 'Volume', status: 'CREATE_IN_PROGRESS', reason: 'state changed' },
    { resource: 'volume', type: 'Volume', status: 'CREATE_FAILED', reason: 'Quota exceeded for volumes' },
    { resource: 'bad', type: 'Stack', status: 'CREATE_FAILED', reason: 'Resource CREATE failed: volume' },
  ],
};

/** The fake service. `step(name)` advances a stack; status checks advance it too. */
export async function startFakeService(base = Date.parse('2026-01-01T00:00:00Z'), stepMs = 1000) {
  const visible = new Map<string, number>(Object.keys(SCENARIOS).map((k) => [k, 1]));
  const offset = new Map<string, number>(Object.keys(SCENARIOS).map((k, i) => [k, i * 500]));
  const events = (name: string): WireEvent[] =>
    (SCENARIOS[name] ?? []).slice(0, visible.get(name) ?? 0).map((e, i) => ({
      ...e,
      id: `${name}-${i}`,
      time: new Date(base + (offset.get(name) ?? 0) + i * stepMs).toISOString(),
    }));
  const router = new Router()
    .on('GET', '/stacks/:name/events', (req) => {
      const name = req.params.name ?? '';
      if (!SCENARIOS[name]) {
        return {
          status: 404,
          headers: { 'x-request-id': `req-${name}-0` },
          body: { error: { message: `Stack ${name} not found` } },
        };
      }
      const marker = Number(req.url.searchParams.get('marker') ?? 0);
      const limit = Number(req.url.searchParams.get('limit') ?? 3);
      const all = events(name);
      const next = marker + limit < all.length ? marker + limit : null;
      return {
        status: 200,
        headers: { 'x-request-id': `req-${name}-${marker}` },
        body: { events: all.slice(marker, marker + limit), next },
      };
    })
    .on('GET', '/stacks/:name', (req) => {
      const name = req.params.name ?? '';
      const script = SCENARIOS[name];
      if (!script) return { status: 404, body: { error: { message: `Stack ${name} not found` } } };
      const all = events(name);
      const last = all[all.length - 1]!;
      const status = last.resource === name ? last.status : 'CREATE_IN_PROGRESS';
      visible.set(name, Math.min(script.length, (visible.get(name) ?? 0) + 1));
      return { status: 200, body: { stack: { name, status, reason: last.reason } } };
    })
    .on('GET', '/images', () => ({
      status: 200,
      body: { images: [{ id: 'img-1', name: 'base', status: 'AVAILABLE', ami: 'ami-0123' }] },
    }))
    .on('GET', '/images/:id', (req) =>
      req.params.id === 'img-1'
        ? { status: 200, body: { image: { id: 'img-1', name: 'base', status: 'AVAILABLE', ami: 'ami-0123' } } }
        : { status: 404, body: { error: { message: `Image ${req.params.id} not found` } } },
    );
  const server = await startEmulator({ handler: router.handler() });
  return {
    server,
    url: server.url,
    /** Makes every event of every stack visible (a finished deployment). */
    finishAll() {
      for (const [k, v] of Object.entries(SCENARIOS)) visible.set(k, v.length);
    },
    close: () => server.close(),
  };
}

const PHASE: Record<string, StackEvent['phase']> = {
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETE: 'COMPLETE',
  FAILED: 'FAILED',
};

/** A plugin reading the fake service, posing as provider `id` (its events carry that id). */
export function fakePlugin(id: ProviderId, alias: string, defaultEndpoint?: () => string): ProviderPlugin {
  return {
    id,
    aliases: [alias],
    title: `Fake ${alias}`,
    target: 'a stack name',
    credentials: 'FAKE_TOKEN',
    connect(ctx): ProviderSession {
      const endpoint = ctx.endpoint ?? ctx.env.FAKE_ENDPOINT ?? defaultEndpoint?.();
      if (!endpoint) throw new Error('no endpoint: set FAKE_ENDPOINT or pass --endpoint');
      const http = new HttpTransport({
        provider: id,
        retry: { baseDelayMs: 1, maxAttempts: 2 },
        requestIdHeaders: ['x-request-id'],
        logger: ctx.logger,
        parseError: (res) => {
          const body = res.body as { error?: { message?: string } } | undefined;
          return body?.error?.message ? { message: body.error.message } : undefined;
        },
      });
      const toEvent = (w: WireEvent, stack: string): StackEvent => {
        const [action, ...rest] = w.status.split('_');
        const isStack = w.resource === stack;
        return {
          provider: id,
          id: w.id,
          timestamp: new Date(w.time),
          stack: { name: stack },
          resource: isStack ? {} : { logicalId: w.resource, type: w.type },
          action: action === 'CREATE' ? 'CREATE' : 'UNKNOWN',
          phase: PHASE[rest.join('_')] ?? 'UNKNOWN',
          status: w.status,
          message: w.reason,
          isStackEvent: isStack,
          raw: w,
        };
      };
      const list = (stack: string, opts: Parameters<NonNullable<ProviderSession['listEvents']>>[1]) =>
        createPaginator<StackEvent, number>({
          provider: id,
          operation: 'listStackEvents',
          scope: { stack },
          filter: applyEventFilters(opts),
          options: { maxItems: opts.maxItems, signal: opts.signal },
          fetchPage: async (marker, size, signal) => {
            const res = await http.request<{ events: WireEvent[]; next: number | null }>({
              url: `${endpoint}/stacks/${encodeURIComponent(stack)}/events`,
              query: { marker: marker ?? 0, limit: size ?? 3 },
              operation: 'listStackEvents',
              signal,
            });
            return { items: res.body.events.map((w) => toEvent(w, stack)), next: res.body.next ?? undefined };
          },
        });
      const image = (w: { id: string; name: string; status: string; ami: string }): ImageInfo => ({
        provider: id,
        id: w.id,
        name: w.name,
        state: w.status === 'AVAILABLE' ? 'AVAILABLE' : 'UNKNOWN',
        status: w.status,
        artifacts: [{ kind: 'ami', id: w.ami, region: 'local-1' }],
        tags: {},
        raw: w,
      });
      return {
        listEvents: (target, q) => list(target, q),
        followEvents: (target, q) =>
          watchEvents<StackEvent>(
            {
              provider: id,
              operation: 'watchStackEvents',
              poll: ({ signal }) => list(target, { ...q, signal }),
              checkTerminal: async ({ signal }) => {
                const res = await http.request<{ stack: { status: string; reason: string } }>({
                  url: `${endpoint}/stacks/${encodeURIComponent(target)}`,
                  operation: 'getStack',
                  signal,
                });
                const s = res.body.stack.status;
                const terminal = !s.endsWith('IN_PROGRESS');
                const failed = s.endsWith('FAILED');
                return {
                  terminal,
                  outcome: failed ? 'failed' : 'succeeded',
                  status: s,
                  reason: res.body.stack.reason,
                  final: {
                    provider: id,
                    name: target,
                    state: failed ? 'FAILED' : terminal ? 'COMPLETE' : 'IN_PROGRESS',
                    action: 'CREATE',
                    phase: failed ? 'FAILED' : terminal ? 'COMPLETE' : 'IN_PROGRESS',
                    status: s,
                    reason: res.body.stack.reason,
                    raw: res.body,
                  } satisfies StackInfo,
                };
              },
            },
            { pollIntervalMs: q.pollIntervalMs ?? 10, signal: q.signal, since: q.since, timeoutMs: q.timeoutMs },
          ),
        async *listImages(q) {
          const res = await http.request<{ images: Array<{ id: string; name: string; status: string; ami: string }> }>({
            url: `${endpoint}/images`,
            operation: 'listImages',
            signal: q.signal,
          });
          for (const w of res.body.images) yield image(w);
        },
        describeImage: async (imageId, q) => {
          const res = await http.request<{ image: { id: string; name: string; status: string; ami: string } }>({
            url: `${endpoint}/images/${encodeURIComponent(imageId)}`,
            operation: 'describeImage',
            signal: q.signal,
          });
          return image(res.body.image);
        },
      };
    },
  };
}

export type FakeService = Awaited<ReturnType<typeof startFakeService>>;
export type { EmulatorServer };
