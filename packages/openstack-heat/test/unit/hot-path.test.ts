/**
 * The listing's hot path: the fast page check accepts nothing the zod schema rejects, reads times
 * with core's parseTimestamp (as the schema), and normalizing through it equals normalizing through zod.
 */
import { StackfeedError, type StackEvent } from '@stackfeed/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEventList, toStackEvent } from '../../src/mapping/event.js';
import { type HeatFault, checkEventList, readHeatFault } from '../../src/wire/check.js';
import { EventListSchema, EventListWire, HeatFaultSchema } from '../../src/wire/schemas.js';

const BASE = 'http://heat:8004/v1/admin/stacks';
const root = { name: 'parent', id: 'P1' };
const ctx = { operation: 'listStackEvents' };

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: n, maxLength: n });
const secondsLike = fc
  .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), fc.constantFrom('Z', '', 'z', '+01:00'))
  .map(([y, mo, d, h, mi, s, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${z}`);
const plausible = fc
  .date({ min: new Date(-1e13), max: new Date(4e12), noInvalidDate: true })
  .chain((d) => fc.constantFrom(`${d.toISOString().slice(0, 19)}Z`, d.toISOString().slice(0, 19), d.toISOString()));

// Valid values mostly, so that whole pages pass often; the rest probes every kind of wrong type.
const optStr = fc.oneof(
  { weight: 40, arbitrary: fc.string({ maxLength: 6 }) },
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
);
const link = fc.oneof(
  {
    weight: 40,
    arbitrary: fc
      .constantFrom('stack', 'root_stack', 'self', 'resource')
      .chain((rel) =>
        fc
          .constantFrom(`${BASE}/child/C1`, `${BASE}/parent/P1`, `${BASE}/a%20b/X`, 'not a url')
          .map((href) => ({ href, rel })),
      ),
  },
  fc.record({ href: optStr, rel: optStr }, { requiredKeys: [] }),
  fc.constant(null),
);
const event = fc.record(
  {
    id: fc.oneof({ weight: 40, arbitrary: fc.uuid() }, fc.constant(''), fc.integer()),
    links: fc.oneof({ weight: 30, arbitrary: fc.array(link, { maxLength: 4 }) }, fc.constant(null), fc.string()),
    event_time: fc.oneof(
      { weight: 40, arbitrary: plausible },
      secondsLike,
      fc.integer({ min: 0, max: 4e9 }),
      fc.constant(null),
    ),
    resource_name: fc.oneof(optStr, fc.constantFrom('child', 'parent')),
    logical_resource_id: optStr,
    physical_resource_id: fc.oneof(optStr, fc.constantFrom('C1', 'P1')),
    resource_status: fc.oneof({ weight: 40, arbitrary: fc.constantFrom('CREATE_COMPLETE', 'NEW_THING') }, fc.integer()),
    resource_status_reason: optStr,
    resource_type: optStr,
    resource_properties: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { events: fc.oneof({ weight: 6, arbitrary: fc.array(event, { maxLength: 5 }) }, fc.constant(null)) },
      { requiredKeys: [] },
    ),
  },
  fc.anything({ maxDepth: 2 }),
);

function viaZod(b: unknown): StackEvent[] {
  const raw = EventListSchema.parse(b);
  return EventListWire.parse(b).events.map((w, i) => toStackEvent(w, raw.events[i], root));
}

describe('fast event list check', () => {
  it('accepts only what the zod schema accepts, with the same times', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (b) => {
        const checked = checkEventList(b);
        if (!checked) return;
        if (checked.events.length > 0) accepted++;
        const z = EventListWire.safeParse(b);
        expect(z.success).toBe(true);
        expect(checked.times).toEqual(z.data?.events.map((e) => e.event_time.getTime()));
      }),
      { numRuns: 3000 },
    );
    // The generators reach the fast path often enough for this to mean something (about 1 run in
    // 30 does, so ~100 of 3000 with a random seed; 30 leaves room for an unlucky seed).
    expect(accepted).toBeGreaterThan(30);
  });

  it('normalizing equals zod + toStackEvent, or both reject (INVALID_RESPONSE)', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        let expected: StackEvent[] | undefined;
        try {
          expected = viaZod(b);
        } catch {
          expected = undefined;
        }
        if (expected) {
          const got = await normalizeEventList(b, root, ctx);
          expect(got).toEqual(expected);
          for (let i = 0; i < got.length; i++) expect(got[i]?.raw).toBe(expected[i]?.raw);
        } else {
          await expect(normalizeEventList(b, root, ctx)).rejects.toThrow(StackfeedError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('what Heat sends takes the fast path; a bad field still names its path', async () => {
    const ev = {
      id: 'e1',
      links: [{ href: `${BASE}/child/C1`, rel: 'stack' }],
      event_time: '2026-11-23T19:03:08Z',
      resource_name: 'child',
      physical_resource_id: 'C1',
      resource_status: 'CREATE_COMPLETE',
      resource_status_reason: 'Stack CREATE completed successfully',
    };
    expect(checkEventList({ events: [ev, { ...ev, id: 'e2' }] })?.times).toHaveLength(2);
    const [got] = await normalizeEventList({ events: [ev] }, root, ctx);
    expect(got).toMatchObject({
      id: 'e1',
      isStackEvent: true,
      stack: { id: 'C1', name: 'child' },
      resource: { type: 'OS::Heat::Stack' },
    });
    let err: unknown;
    try {
      await normalizeEventList({ events: [ev, { ...ev, resource_status: 5 }] }, root, ctx);
    } catch (e) {
      err = e;
    }
    expect(StackfeedError.is(err, 'INVALID_RESPONSE')).toBe(true);
    expect((err as StackfeedError).fieldPath).toContain('resource_status');
  });

  it('events do not share stack objects (the link cache is not handed out)', async () => {
    const ev = {
      id: 'e1',
      links: [{ href: `${BASE}/child/C1`, rel: 'stack' }],
      event_time: '2026-11-23T19:03:08Z',
      resource_name: 'r',
      resource_status: 'CREATE_COMPLETE',
    };
    const [a, b] = await normalizeEventList({ events: [ev, { ...ev, id: 'e2' }] }, undefined, ctx);
    (a as StackEvent).stack.name = 'changed';
    expect(b?.stack.name).toBe('child');
    const [c] = await normalizeEventList({ events: [{ ...ev, id: 'e3' }] }, undefined, ctx);
    expect(c?.stack).toEqual({ id: 'C1', name: 'child' });
  });
});

describe('fault body reader (zod-free: every error answer goes through it)', () => {
  const code = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(null), fc.boolean());
  const str = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 6 }) }, fc.constant(null), fc.integer());
  const fault = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record(
        {
          code,
          title: str,
          explanation: str,
          error: fc.oneof(
            {
              weight: 4,
              arbitrary: fc.record(
                { type: str, message: str, traceback: fc.anything({ maxDepth: 1 }), code, title: str },
                { requiredKeys: [] },
              ),
            },
            fc.constant(null),
            fc.string({ maxLength: 3 }),
            fc.array(fc.integer(), { maxLength: 2 }),
          ),
          extra: fc.anything({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
    },
    fc.anything({ maxDepth: 2 }),
  );

  it('accepts exactly what HeatFaultSchema accepts, and reads the same fields', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fault, (b) => {
        const z = HeatFaultSchema.safeParse(b);
        const mine = readHeatFault(b);
        expect(mine !== undefined).toBe(z.success);
        if (!z.success) {
          refused++;
          return;
        }
        accepted++;
        const pick = (f: HeatFault | undefined) => [
          f?.code,
          f?.title,
          f?.explanation,
          f?.error?.type,
          f?.error?.message,
          f?.error?.code,
          f?.error?.title,
        ];
        expect(pick(mine)).toEqual(pick(z.data as HeatFault));
      }),
      { numRuns: 3000 },
    );
    // Both sides of the rule are reached (about half of the runs each with these generators).
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
