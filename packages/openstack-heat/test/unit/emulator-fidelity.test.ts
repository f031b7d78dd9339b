import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_DIR } from '../support/peer.js';

/**
 * The Heat emulator against what the real Heat 19 answered (recordings read at run time): same
 * keys, link relations, error bodies and messages, statuses and headers. The unit suite relies
 * on the emulator only where a real Heat cannot produce the situation, so it must not drift.
 */
const REC = join(SHARED_DIR, 'specs/heat-recorded');
// biome-ignore lint/suspicious/noExplicitAny: recorded JSON, read field by field below
type Json = any;
const rec = (f: string) =>
  JSON.parse(readFileSync(join(REC, f), 'utf8')).response as {
    status: number;
    headers: Record<string, string>;
    body: Json;
  };

let emu: HeatEmulator;
let id: string;
beforeAll(async () => {
  emu = await startHeatEmulator();
  const root = emu.addStack('ok-rec', createScript('ok-rec', [{ name: 'slow', type: 'OS::Heat::TestResource' }]));
  emu.addStack('child', createScript('child', [{ name: 'x' }]), { parent: root.id });
  id = root.id;
  emu.advance(60_000);
});
afterAll(() => emu.close());

const get = async (path: string) => {
  const res = await fetch(`${emu.heatUrl}${path}`, { redirect: 'manual' });
  const text = await res.text();
  let body: Json = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* html */
  }
  return { status: res.status, headers: res.headers, body };
};
const keys = (o: object) => Object.keys(o).sort();
const rels = (e: { links: Array<{ rel: string }> }) => e.links.map((l) => l.rel);

describe('Heat emulator fidelity (vs recorded real responses)', () => {
  it('event list items and show-event bodies have the real keys and link relations', async () => {
    const realList = rec('events-list.json').body.events[0];
    const list = await get(`/stacks/ok-rec/${id}/events`);
    expect(list.status).toBe(200);
    expect(list.headers.get('x-openstack-request-id')).toMatch(/^req-/);
    expect(keys(list.body.events[0])).toEqual(keys(realList));
    expect(rels(list.body.events[0])).toEqual(rels(realList));
    const realNested = rec('events-nested_depth-1.json').body.events[0];
    const nested = await get(`/stacks/ok-rec/${id}/events?nested_depth=1`);
    expect(rels(nested.body.events[0])).toEqual(rels(realNested));
    expect(nested.body.events.length).toBeGreaterThan(list.body.events.length);
    const realShow = rec('event-show.json').body.event;
    const show = await get(`/stacks/ok-rec/${id}/resources/slow/events/${list.body.events[1].id}`);
    expect(keys(show.body.event)).toEqual(keys(realShow));
  });

  it('stack list items and stack show have the real keys', async () => {
    const list = await get('/stacks');
    expect(keys(list.body.stacks[0])).toEqual(keys(rec('stacks-list.json').body.stacks[0]));
    const show = await get(`/stacks/ok-rec/${id}`);
    expect(keys(show.body.stack)).toEqual(keys(rec('stack-show.json').body.stack));
    const paged = await get('/stacks?limit=1');
    expect(keys(paged.body)).toEqual(keys(rec('stacks-list-limit-2.json').body));
  });

  it('answers the real 302 for name-only URLs, query kept', async () => {
    const real = rec('stack-events-by-name-redirect.json');
    const r = await get('/stacks/ok-rec/events?limit=2');
    expect(r.status).toBe(real.status);
    expect(r.headers.get('content-type')).toBe(real.headers['Content-Type']);
    expect(r.headers.get('location')).toBe(`${emu.heatUrl}/stacks/ok-rec/${id}/events?limit=2`);
  });

  it.each([
    ['events-bad-limit.json', '?limit=abc'],
    ['events-negative-limit.json', '?limit=-1'],
    ['events-bad-sort-dir.json', '?sort_dir=sideways'],
    ['events-bad-nested-depth.json', '?nested_depth=abc'],
  ])('gives the same 400 body as %s', async (file, query) => {
    const r = await get(`/stacks/ok-rec/${id}/events${query}`);
    const real = rec(file);
    expect(r.status).toBe(real.status);
    expect(r.body).toEqual(real.body);
  });

  it('gives the same 404 bodies (unknown stack, resource without events, unknown event)', async () => {
    const stack = await get('/stacks/no-such-stack');
    expect(stack.body).toEqual(rec('stack-not-found-by-name.json').body);
    const res = await get(`/stacks/ok-rec/${id}/resources/nope/events`);
    expect(res.body).toEqual(rec('resource-events-unknown-resource.json').body);
    const ev = await get(`/stacks/ok-rec/${id}/resources/slow/events/00000000-0000-0000-0000-000000000000`);
    expect(ev.body).toEqual(rec('event-show-not-found.json').body);
  });

  it('pages like Heat: limit 0 is [], an unknown marker restarts, sort_keys alone is ascending', async () => {
    expect((await get(`/stacks/ok-rec/${id}/events?limit=0`)).body).toEqual({ events: [] });
    const all = (await get(`/stacks/ok-rec/${id}/events`)).body.events.map((e: { id: string }) => e.id);
    const bad = (await get(`/stacks/ok-rec/${id}/events?limit=2&marker=00000000-0000-0000-0000-000000000000`)).body
      .events;
    expect(bad.map((e: { id: string }) => e.id)).toEqual(all.slice(0, 2));
    const byKey = (await get(`/stacks/ok-rec/${id}/events?sort_keys=event_time`)).body.events.map(
      (e: { id: string }) => e.id,
    );
    expect(byKey).toEqual([...all].reverse());
    const st = (await get(`/stacks/ok-rec/${id}/events?resource_status=CREATE_COMPLETE`)).body.events;
    expect(st).toEqual(rec('events-filter-resource_status-CREATE_COMPLETE.json').body.events);
  });
});
