import { parseTimestamp } from '@stackfeed/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StackEventsWire, readStackEventsFast } from '../src/wire/api.js';

// Values that are sometimes right and often wrong for each member.
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.constant(''),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: anyValue });
const time = fc.oneof(
  fc
    .date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom('2026-01-15T12:00:00Z', '2026-01-15T12:00:00.123+02:00', '2026-02-30T00:00:00Z', 'yesterday', ''),
);
const event = fc.record(
  {
    stackId: maybe(fc.string()),
    eventId: maybe(fc.string()),
    stackName: maybe(fc.string()),
    logicalResourceId: maybe(fc.string()),
    physicalResourceId: maybe(fc.string()),
    resourceType: maybe(fc.string()),
    timestamp: maybe(time),
    resourceStatus: maybe(fc.string()),
    resourceStatusReason: maybe(fc.string()),
    resourceProperties: maybe(fc.string()),
    clientRequestToken: maybe(fc.string()),
    hookType: maybe(fc.string()),
    hookStatus: maybe(fc.string()),
    hookStatusReason: maybe(fc.string()),
    hookInvocationPoint: maybe(fc.string()),
    hookFailureMode: anyValue,
  },
  { requiredKeys: [] },
);
const page = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      { nextToken: maybe(fc.string()), events: maybe(fc.array(maybe(event), { maxLength: 4 })) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyValue },
);

/** Own keys with a defined value, for comparing records that differ only in `undefined` keys. */
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

describe('readStackEventsFast accepts exactly what StackEventsWire accepts, and reads the same', () => {
  it('on generated pages (mostly valid, often broken in one field)', () => {
    fc.assert(
      fc.property(page, (body) => {
        const fast = readStackEventsFast(body);
        const slow = StackEventsWire.safeParse(body);
        expect(fast !== undefined).toBe(slow.success);
        if (!fast || !slow.success) return;
        expect(fast.nextToken).toBe(slow.data.nextToken);
        const want = (slow.data.events ?? []).map((w) => defined({ ...w, timestamp: parseTimestamp(w.timestamp) }));
        expect(fast.events.map((e) => defined(e))).toEqual(want);
      }),
      { numRuns: 3000 },
    );
  });
});
