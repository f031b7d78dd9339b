/**
 * The listing's hot path: the fast page check must accept nothing the zod schema rejects and give
 * what the schema gives; normalizing a page through it must equal normalizing through zod; ids are
 * SHA-256 over a documented, unambiguous content key.
 */
import { hash } from 'node:crypto';
import { StackfeedError, type StackEvent } from '@stackfeed/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventIdAssigner, eventContentKey, normalizeEventsPage, toStackEvent } from '../src/mapping/events.js';
import { checkEventsPage } from '../src/wire/check.js';
import { ListStackEventsResponseSchema } from '../src/wire/schemas.js';

const scope = { stackName: 'my-stack', deploymentId: 'dep-1' };
const ctx = { operation: 'listStackEvents' };

// Valid values mostly, so that whole pages pass often; the rest probes every kind of wrong type.
const optStr = fc.oneof(
  { weight: 40, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 4, arbitrary: fc.constant(undefined) },
  fc.integer(),
  fc.boolean(),
);
const time = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  },
  fc
    .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
    .map((d) => `${d.toISOString().slice(0, 19)}Z`),
  fc.constantFrom(
    '2025-06-12T08:01:04+08:00',
    '2025-06-12T08:01:04.5-02:30',
    '2025-06-12 08:01:04',
    '2025-06-12T08:01:04',
    '2025-13-40T99:99:99Z',
    'yesterday',
    '',
  ),
  fc.integer(),
  fc.constant(null),
);
const num = fc.oneof(
  { weight: 20, arbitrary: fc.integer() },
  fc.double(),
  { weight: 5, arbitrary: fc.constant(null) },
  { weight: 5, arbitrary: fc.constant(undefined) },
  fc.string({ maxLength: 2 }),
);
const event = fc.record(
  {
    resource_type: optStr,
    resource_name: optStr,
    resource_id_key: optStr,
    resource_id_value: optStr,
    resource_key: optStr,
    time,
    event_type: fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom('LOG', 'CREATION_COMPLETE', 'NEW_TYPE') },
      fc.integer(),
    ),
    event_message: optStr,
    elapsed_seconds: num,
    extra: fc.anything({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        stack_events: fc.oneof(
          { weight: 6, arbitrary: fc.array(event, { maxLength: 6 }) },
          fc.constant(null),
          fc.string(),
        ),
        page_info: fc.oneof(
          fc.record({ next_marker: optStr, previous_marker: optStr, current_count: num }, { requiredKeys: [] }),
          { weight: 3, arbitrary: fc.constant(null) },
          fc.constant([]),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  fc.anything({ maxDepth: 2 }),
);

/** The reference: zod parse, then the public per-event mapping and id. */
function viaZod(b: unknown): StackEvent[] {
  const parsed = ListStackEventsResponseSchema.parse(b);
  const raw = ((b as { stack_events?: unknown[] }).stack_events ?? []) as unknown[];
  const ids = new EventIdAssigner(scope);
  const out: StackEvent[] = [];
  (parsed.stack_events ?? []).forEach((ev, i) => {
    if (!(ev.time ?? ev.timestamp)) return;
    const mapped = toStackEvent(ev, raw[i], ids.idFor(ev), scope);
    if (mapped) out.push(mapped);
  });
  return out;
}

describe('fast page check', () => {
  it('accepts only what the zod schema accepts, with the same times', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (b) => {
        const checked = checkEventsPage(b);
        const z = ListStackEventsResponseSchema.safeParse(b);
        if (checked) {
          if (checked.events.length > 0) accepted++;
          expect(z.success).toBe(true);
          const zt = (z.data?.stack_events ?? []).map((e) => (e.time ?? e.timestamp)?.getTime() ?? Number.NaN);
          expect(checked.times).toEqual(zt);
          expect(checked.nextMarker).toBe(z.data?.page_info?.next_marker || undefined);
        }
      }),
      { numRuns: 3000 },
    );
    // The generators reach the fast path often enough for this to mean something (about 1 run in
    // 30 does, so ~100 of 3000 with a random seed; 30 leaves room for an unlucky seed).
    expect(accepted).toBeGreaterThan(30);
  });

  it('accepts what RFS sends (so the fast path is the one taken)', () => {
    const page = {
      stack_events: [
        { event_type: 'LOG', time: '2025-06-12T08:01:04Z', event_message: 'x', resource_name: null },
        { event_type: 'CREATION_COMPLETE', time: '2025-06-12T08:01:04.123Z', elapsed_seconds: 6, resource_key: '1' },
      ],
      page_info: { next_marker: 'm', previous_marker: null, current_count: 2 },
    };
    expect(checkEventsPage(page)?.times).toEqual([
      Date.parse('2025-06-12T08:01:04Z'),
      Date.parse('2025-06-12T08:01:04.123Z'),
    ]);
    expect(checkEventsPage({ ...page, page_info: { next_marker: 1 } })).toBeUndefined();
    expect(
      checkEventsPage({
        stack_events: [{ event_type: 'LOG', time: '2025-06-12T08:01:04Z', elapsed_seconds: Infinity }],
      }),
    ).toBeUndefined();
  });

  it('normalizing a page equals zod + toStackEvent, or both reject (INVALID_RESPONSE naming the field)', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        let expected: StackEvent[] | undefined;
        try {
          expected = viaZod(b);
        } catch {
          expected = undefined;
        }
        if (expected) {
          const got = (await normalizeEventsPage(b, scope, new EventIdAssigner(scope), ctx)).items;
          expect(got).toEqual(expected);
          for (let i = 0; i < got.length; i++) expect(got[i]?.raw).toBe(expected[i]?.raw);
        } else {
          await expect(normalizeEventsPage(b, scope, new EventIdAssigner(scope), ctx)).rejects.toThrow(StackfeedError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a bad field deep in a page is INVALID_RESPONSE with its path', async () => {
    const b = {
      stack_events: [
        { event_type: 'LOG', time: '2025-06-12T08:01:04Z' },
        { event_type: 'LOG', time: '2025-06-12T08:01:04Z', elapsed_seconds: '6' },
      ],
    };
    let err: unknown;
    try {
      await normalizeEventsPage(b, scope, new EventIdAssigner(scope), ctx);
    } catch (e) {
      err = e;
    }
    expect(StackfeedError.is(err, 'INVALID_RESPONSE')).toBe(true);
    expect((err as StackfeedError).fieldPath).toContain('stack_events');
    expect((err as StackfeedError).fieldPath).toContain('elapsed_seconds');
  });

  it('a time in another form goes through zod and gets the same id as the same instant in RFC 3339', async () => {
    const ev = { event_type: 'LOG', event_message: 'm' };
    const a = await normalizeEventsPage(
      { stack_events: [{ ...ev, time: '2025-06-12T08:01:04Z' }] },
      scope,
      new EventIdAssigner(scope),
      ctx,
    );
    const b = await normalizeEventsPage(
      { stack_events: [{ ...ev, time: '2025-06-12T08:01:04' }] },
      scope,
      new EventIdAssigner(scope),
      ctx,
    );
    expect(checkEventsPage({ stack_events: [{ ...ev, time: '2025-06-12T08:01:04' }] })).toBeUndefined();
    expect(b.items[0]?.timestamp.getTime()).toBe(a.items[0]?.timestamp.getTime());
    expect(b.items[0]?.id).toBe(a.items[0]?.id);
  });
});

describe('content ids', () => {
  const raw = {
    resource_type: 'huaweicloud_vpc_subnet',
    resource_name: 'subnet',
    resource_id_key: 'id',
    resource_id_value: 'e385',
    resource_key: '1',
    event_type: 'CREATION_COMPLETE',
    event_message: 'huaweicloud_vpc_subnet.subnet[1]: Creation complete after 6s [id=e385]',
    elapsed_seconds: 6,
    time: '2025-06-12T08:01:04Z',
  };

  it('are rfs- + 22 base64url characters of SHA-256 over the documented key', async () => {
    const key =
      '8:my-stack17:CREATION_COMPLETE1749715264000|22:huaweicloud_vpc_subnet6:subnet1:12:id4:e38570:huaweicloud_vpc_subnet.subnet[1]: Creation complete after 6s [id=e385]6';
    expect(eventContentKey('my-stack', raw, Date.parse(raw.time))).toBe(key);
    const expected = `rfs-${hash('sha256', key, 'base64url').slice(0, 22)}`;
    const items = (
      await normalizeEventsPage({ stack_events: [raw, { ...raw }] }, scope, new EventIdAssigner(scope), ctx)
    ).items;
    expect(items.map((e) => e.id)).toEqual([expected, `${expected}.1`]);
  });

  it('twins get .1, .2 also when other times come between them (a listing out of time order)', async () => {
    const other = { ...raw, time: '2025-06-12T08:01:05Z' };
    const ids = (
      await normalizeEventsPage(
        { stack_events: [raw, other, { ...raw }, { ...other }, { ...raw }] },
        scope,
        new EventIdAssigner(scope),
        ctx,
      )
    ).items.map((e) => e.id);
    const [a, b] = ids;
    expect(ids).toEqual([a, b, `${a}.1`, `${b}.1`, `${a}.2`]);
    expect(a).not.toBe(b);
  });

  it('absent and null are the same; empty string, shifted characters and other types of field are not', () => {
    const key = (over: Record<string, unknown>) =>
      eventContentKey('s', { ...raw, ...over } as Parameters<typeof eventContentKey>[1], 0);
    expect(key({ resource_key: null })).toBe(key({ resource_key: undefined }));
    const variants = [
      key({ resource_key: null }),
      key({ resource_key: '' }),
      key({ resource_key: '~' }),
      key({ resource_name: 'ab', resource_key: 'c' }),
      key({ resource_name: 'a', resource_key: 'bc' }),
      key({ resource_name: 'a1:b', resource_key: '' }),
      key({ resource_name: 'a', resource_key: '1:b' }),
      key({ elapsed_seconds: null }),
      key({ elapsed_seconds: 0 }),
      key({ event_message: `${raw.event_message}6`, elapsed_seconds: null }),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('no two different events of a random set share a key', () => {
    const fields = fc.record({
      resource_type: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
      resource_name: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
      resource_key: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
      resource_id_key: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
      resource_id_value: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
      event_type: fc.string({ maxLength: 4 }),
      event_message: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
      elapsed_seconds: fc.option(fc.integer({ min: -5, max: 100 }), { nil: null }),
      ms: fc.integer({ min: -2, max: 2 }),
    });
    fc.assert(
      fc.property(fields, fields, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(eventContentKey('s', a, a.ms) === eventContentKey('s', b, b.ms)).toBe(same);
      }),
      { numRuns: 5000 },
    );
  });
});
