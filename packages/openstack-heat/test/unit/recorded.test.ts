import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWire } from '@stackfeed/core/adapter';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseHeatError } from '../../src/errors.js';
import { toStackEvent, toStackInfo } from '../../src/mapping/event.js';
import { WireEventSchema, WireStackSchema } from '../../src/wire/schemas.js';
import { SHARED_DIR } from '../support/peer.js';

/**
 * Every response a real Heat 19 gave (recorded by shared/real-peers/heat/record.sh, read at run
 * time, never copied): each event list and stack parses, and each error body maps to a code.
 */
const REC = join(SHARED_DIR, 'specs/heat-recorded');
const dirs = [REC, join(REC, 'keystone'), join(REC, 'convergence')];

interface Recording {
  request: { method: string; path: string; query: string };
  response: { status: number; headers: Record<string, string>; body: unknown };
}
const recordings: Array<[string, Recording]> = [];
for (const d of dirs) {
  for (const f of readdirSync(d).filter((x) => x.endsWith('.json'))) {
    recordings.push([`${d.slice(REC.length) || '/'}${f}`, JSON.parse(readFileSync(join(d, f), 'utf8'))]);
  }
}

const ctx = { provider: 'openstack-heat' as const, operation: 'test' };

describe('recorded real Heat responses', () => {
  it('are present (shared/ next to the clone)', () => {
    expect(existsSync(REC)).toBe(true);
    expect(recordings.length).toBeGreaterThan(250);
  });

  const eventLists = recordings.filter(
    ([, r]) => r.response.status === 200 && Array.isArray((r.response.body as { events?: unknown })?.events),
  );
  it(`maps all ${eventLists.length} event lists, flagging stack-level events`, () => {
    expect(eventLists.length).toBeGreaterThan(100);
    let total = 0;
    let stackEvents = 0;
    for (const [, r] of eventLists) {
      const body = parseWire(z.object({ events: z.array(WireEventSchema) }), r.response.body, ctx);
      const raw = (r.response.body as { events: unknown[] }).events;
      for (const [i, w] of body.events.entries()) {
        const ev = toStackEvent(w, raw[i], undefined);
        total++;
        expect(ev.action).not.toBe('UNKNOWN');
        expect(ev.phase).not.toBe('UNKNOWN');
        expect(ev.stack.id).toBeTruthy();
        const expectStack = w.resource_name === ev.stack.name && w.physical_resource_id === ev.stack.id;
        expect(ev.isStackEvent).toBe(expectStack);
        if (ev.isStackEvent) {
          stackEvents++;
          expect(ev.resource.type).toBe('OS::Heat::Stack');
        }
      }
    }
    expect(total).toBeGreaterThan(1000);
    expect(stackEvents).toBeGreaterThan(50);
  });

  const shows = recordings.filter(
    ([, r]) => r.response.status === 200 && (r.response.body as { event?: unknown })?.event,
  );
  it(`maps all ${shows.length} show-event bodies with type and properties`, () => {
    expect(shows.length).toBeGreaterThan(3);
    for (const [, r] of shows) {
      const body = parseWire(z.object({ event: WireEventSchema }), r.response.body, ctx);
      const ev = toStackEvent(body.event, body.event, undefined);
      expect(ev.resource.type).toMatch(/^OS::Heat::/);
      expect(ev.properties).toBeTypeOf('object');
    }
  });

  const stacks = recordings.filter(
    ([, r]) =>
      r.response.status === 200 &&
      ((r.response.body as { stack?: unknown })?.stack || (r.response.body as { stacks?: unknown })?.stacks),
  );
  it(`maps all ${stacks.length} stack bodies`, () => {
    for (const [, r] of stacks) {
      const b = r.response.body as { stack?: unknown; stacks?: unknown[] };
      const list = b.stacks ?? [b.stack];
      for (const s of list) {
        if (!(s as { stack_status?: string }).stack_status) continue; // create answers carry id + links only
        const info = toStackInfo(parseWire(WireStackSchema, s, ctx), s);
        expect(info.state).not.toBe('UNKNOWN');
      }
    }
  });

  const errors = recordings.filter(([, r]) => r.response.status >= 400);
  it(`turns all ${errors.length} error bodies into the right code and provider code`, () => {
    expect(errors.length).toBeGreaterThan(20);
    const expected: Record<number, string> = {
      400: 'BAD_REQUEST',
      401: 'UNAUTHORIZED',
      403: 'FORBIDDEN',
      404: 'NOT_FOUND',
      409: 'CONFLICT',
    };
    for (const [name, r] of errors) {
      const headers = Object.fromEntries(Object.entries(r.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const info = parseHeatError({ status: r.response.status, headers, body: r.response.body, text: '', url: '' });
      expect(info?.code, name).toBe(expected[r.response.status]);
      const b = r.response.body as { error?: { type?: string; title?: string } };
      expect(info?.providerCode, name).toBe(b.error?.type ?? b.error?.title);
      expect(info?.message, name).toBeTruthy();
    }
  });
});
