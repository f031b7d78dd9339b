import { parseTimestamp } from '@stackfeed/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseApiError } from '../src/errors.js';
import { ErrorBodyWire, StackEventsWire, readStackEventsFast } from '../src/wire/api.js';

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
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(page, (body) => {
        const fast = readStackEventsFast(body);
        const slow = StackEventsWire.safeParse(body);
        expect(fast !== undefined).toBe(slow.success);
        if (!fast || !slow.success) {
          refused++;
          return;
        }
        accepted++;
        expect(fast.nextToken).toBe(slow.data.nextToken);
        const want = (slow.data.events ?? []).map((w) => defined({ ...w, timestamp: parseTimestamp(w.timestamp) }));
        expect(fast.events.map((e) => defined(e))).toEqual(want);
      }),
      { numRuns: 3000 },
    );
    // Both sides of the rule are reached, not just one (the generators break a field often).
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('the error-body reader (zod-free: the transport calls it synchronously for every error answer)', () => {
  const text = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 6 }) }, anyValue);
  const errorBody = fc.oneof(
    { weight: 6, arbitrary: fc.record({ message: text, Message: text, extra: anyValue }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
  );
  const answer = (body: unknown) => ({ status: 400, headers: {}, body, text: '', url: 'https://x/prod/v3/clusters' });

  it('reads the message ErrorBodyWire reads (else API Gateway’s Message), and never fails on a body it refuses', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(errorBody, (body) => {
        const info = parseApiError(answer(body));
        expect(info?.code).toBe('BAD_REQUEST');
        const z = ErrorBodyWire.safeParse(body);
        if (z.success) {
          accepted++;
          const gateway = (z.data as { Message?: unknown }).Message;
          expect(info?.message).toBe(z.data.message ?? (typeof gateway === 'string' ? gateway : undefined));
        } else {
          // Where the schema refuses (a message that is no string, a body that is no object) the
          // reader still answers, with API Gateway's Message if there is one.
          refused++;
          const gateway =
            typeof body === 'object' && body !== null ? (body as { Message?: unknown }).Message : undefined;
          expect(info?.message).toBe(typeof gateway === 'string' ? gateway : undefined);
        }
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});
