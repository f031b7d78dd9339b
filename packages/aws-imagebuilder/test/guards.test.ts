import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLifecycleResource, isLifecycleResourcesPage } from '../src/wire/guards.js';
import { LifecycleResourceSchema, ListLifecycleResourcesSchema } from '../src/wire/schemas.js';

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
  fc.constant(new Date(Number.NaN)),
  fc.date({ noInvalidDate: true }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: anyValue });
const state = maybe(fc.record({ status: maybe(fc.string()), reason: maybe(fc.string()) }, { requiredKeys: [] }));
const resource = fc.record(
  {
    accountId: maybe(fc.string()),
    resourceId: maybe(fc.string({ minLength: 0, maxLength: 5 })),
    state,
    action: maybe(fc.record({ name: maybe(fc.string()), reason: maybe(fc.string()) }, { requiredKeys: [] })),
    region: maybe(fc.string()),
    snapshots: maybe(
      fc.array(maybe(fc.record({ snapshotId: maybe(fc.string()), state }, { requiredKeys: [] })), { maxLength: 3 }),
    ),
    imageUris: maybe(fc.array(maybe(fc.string()), { maxLength: 3 })),
    startTime: maybe(fc.date()),
    endTime: maybe(fc.date()),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

describe('hot-path guards accept exactly what the zod schemas accept', () => {
  it('LifecycleExecutionResource', () => {
    fc.assert(
      fc.property(maybe(resource), (r) => {
        expect(isLifecycleResource(r)).toBe(LifecycleResourceSchema.safeParse(r).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('ListLifecycleExecutionResources page', () => {
    const page = fc.record(
      {
        lifecycleExecutionId: maybe(fc.string()),
        lifecycleExecutionState: state,
        resources: maybe(fc.array(maybe(resource), { maxLength: 4 })),
        nextToken: maybe(fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(maybe(page), (p) => {
        expect(isLifecycleResourcesPage(p)).toBe(ListLifecycleResourcesSchema.safeParse(p).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid SDK-shaped record passes both', () => {
    const r = {
      accountId: '123456789012',
      resourceId: 'ami-1',
      state: { status: 'SUCCESS' },
      action: { name: 'DELETE' },
      region: 'us-east-1',
      snapshots: [{ snapshotId: 'snap-1', state: { status: 'SUCCESS' } }],
      startTime: new Date(),
    };
    expect(isLifecycleResource(r)).toBe(true);
    expect(LifecycleResourceSchema.safeParse(r).success).toBe(true);
  });
});
