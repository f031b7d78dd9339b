/**
 * stackfeed core in one file: a Paginator over HTTP pages (with a resumable token), a live watch of
 * a deployment that progresses while we poll, and two streams merged into one timeline.
 * Runs against a tiny local server; no cloud account needed.
 *
 *   pnpm example
 */
import { mergeEvents, type StackEvent } from '@stackfeed/core';
import { createPaginator, HttpTransport, statusTable, watchEvents } from '@stackfeed/core/adapter';
import { Router, startEmulator } from '@stackfeed/emulator';

// A toy provider: 12 resources created one after another, one event every 50 ms.
const started = Date.now();
const wire = (i: number) => ({
  id: `ev-${i}`,
  time: new Date(started + i * 50).toISOString(),
  resource: `res-${i % 4}`,
  status: i === 11 ? 'STACK_COMPLETE' : 'RESOURCE_CREATED',
});
const visible = () =>
  Array.from({ length: Math.min(12, Math.floor((Date.now() - started) / 50) + 1) }, (_, i) => wire(i));

const server = await startEmulator({
  handler: new Router()
    .on('GET', '/events', (req) => {
      const from = Number(req.url.searchParams.get('from') ?? 0);
      const size = Number(req.url.searchParams.get('size') ?? 5);
      const all = visible();
      return {
        status: 200,
        body: { events: all.slice(from, from + size), next: from + size < all.length ? from + size : null },
      };
    })
    .handler(),
});
// One throttled answer, to show the transport retrying it on its own.
server.faults.inject({ kind: 'throttle', retryAfter: 0 });

const phases = statusTable({ RESOURCE_CREATED: 'COMPLETE', STACK_COMPLETE: 'COMPLETE' } as const, 'UNKNOWN');
const toEvent = (w: ReturnType<typeof wire>, provider: StackEvent['provider']): StackEvent => ({
  provider,
  id: `${provider}:${w.id}`,
  timestamp: new Date(w.time),
  stack: { name: 'demo' },
  resource: { logicalId: w.resource },
  action: 'CREATE',
  phase: phases.map(w.status),
  status: w.status,
  isStackEvent: w.status === 'STACK_COMPLETE',
  raw: w,
});

const http = new HttpTransport({ provider: 'openstack-heat', retry: { baseDelayMs: 10 } });
const list = (provider: StackEvent['provider']) =>
  createPaginator<StackEvent, number>({
    provider,
    operation: 'listEvents',
    scope: { stack: 'demo' },
    fetchPage: async (from, size, signal) => {
      type Body = { events: ReturnType<typeof wire>[]; next: number | null };
      const res = await http.request<Body>({
        url: `${server.url}/events`,
        query: { from: from ?? 0, size: size ?? 5 },
        operation: 'listEvents',
        signal,
      });
      return { items: res.body.events.map((w) => toEvent(w, provider)), next: res.body.next ?? undefined };
    },
  });

// 1. Watch until the stack-level COMPLETE event, then a final drain.
const watch = watchEvents<StackEvent>(
  {
    provider: 'openstack-heat',
    operation: 'watchEvents',
    poll: () => list('openstack-heat'),
    checkTerminal: ({ newEvents }) => ({ terminal: newEvents.some((e) => e.isStackEvent), outcome: 'succeeded' }),
  },
  { pollIntervalMs: 100 },
);
for await (const ev of watch) console.log(`watch  ${ev.timestamp.toISOString()} ${ev.resource.logicalId} ${ev.status}`);
console.log(`watch ended: ${watch.result?.outcome} after ${watch.result?.polls} polls`);

// 2. Pages with resumable tokens.
const firstPage = (await list('openstack-heat').byPage({ pageSize: 3 }).next()).value;
const rest = await list('openstack-heat')
  .byPage({ continuationToken: firstPage?.continuationToken, pageSize: 5 })
  .next();
console.log(
  `page 1: ${firstPage?.items.map((e: StackEvent) => e.id).join(', ')}; token ${firstPage?.continuationToken?.slice(0, 24)}…`,
);
console.log(`resumed from the token: ${rest.value?.items.map((e: StackEvent) => e.id).join(', ')}`);

// 3. Two providers' lists merged into one time-ordered stream.
let n = 0;
for await (const ev of mergeEvents([list('openstack-heat'), list('huawei-rfs')], { mode: 'exact' })) {
  if (n++ < 4) console.log(`merged ${ev.timestamp.toISOString()} ${ev.provider}`);
}
console.log(`merged ${n} events from 2 streams`);
await server.close();
