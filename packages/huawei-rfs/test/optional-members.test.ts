/**
 * Required-ness follows the official models field by field (go-v3 services/rfs/v1/model: only
 * non-pointer members are required: `stack_name` of Stack and GetStackMetadataResponse). Each
 * official shape, built from the spec examples at test time, parses with every optional member
 * removed; removing a required member is INVALID_RESPONSE naming it.
 */
import { StackfeedError } from '@stackfeed/core';
import { parseWire } from '@stackfeed/core/adapter';
import { describe, expect, it } from 'vitest';
import { EventIdAssigner, normalizeEventsPage } from '../src/mapping/events.js';
import { GetStackMetadataResponseSchema, ListStacksResponseSchema } from '../src/wire/schemas.js';
import { readShared } from './helpers.js';

type Rec = Record<string, unknown>;
const scope = { stackName: 's' };
const ctx = { provider: 'huawei-rfs' as const, operation: 'test' };

/** Keep only `keep` at the top level of every record of `list`. */
const only = (records: Rec[], keep: string[]) =>
  records.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => keep.includes(k))));

describe('official shapes with every optional member removed', () => {
  it('ListStackEvents: every StackEvent member and page_info are optional', async () => {
    const ex = readShared<Rec>('specs/huawei-rfs/list-stack-events-response.example.json');
    const events = ex.stack_events as Rec[];
    expect(events.length).toBeGreaterThan(0);
    const bare = await normalizeEventsPage({ stack_events: only(events, []) }, scope, new EventIdAssigner(scope), ctx);
    // Nothing to emit (no time), and no error.
    expect(bare.items).toEqual([]);
    expect((await normalizeEventsPage({}, scope, new EventIdAssigner(scope), ctx)).items).toEqual([]);
    // Each member alone next to the time: still an event, with that member mapped.
    expect(events.every((e) => typeof e.time === 'string')).toBe(true);
    for (const key of new Set(events.flatMap((e) => Object.keys(e)))) {
      const page = await normalizeEventsPage(
        { stack_events: only(events, [key, 'time']) },
        scope,
        new EventIdAssigner(scope),
        ctx,
      );
      expect(page.items.length, key).toBe(events.length);
    }
  });

  it('ListStacks: only stack_name is required', () => {
    const ex = readShared<Rec>('specs/huawei-rfs/list-stacks-response.example.json');
    const stacks = ex.stacks as Rec[];
    expect(() => parseWire(ListStacksResponseSchema, { stacks: only(stacks, ['stack_name']) }, ctx)).not.toThrow();
    expect(() => parseWire(ListStacksResponseSchema, {}, ctx)).not.toThrow();
    let err: unknown;
    try {
      parseWire(ListStacksResponseSchema, { stacks: only(stacks, ['stack_id', 'status']) }, ctx);
    } catch (e) {
      err = e;
    }
    expect(StackfeedError.is(err, 'INVALID_RESPONSE')).toBe(true);
    expect((err as StackfeedError).fieldPath).toBe('stacks[0].stack_name');
  });

  it('GetStackMetadata: only stack_name is required', () => {
    const ex = readShared<Rec>('specs/huawei-rfs/get-stack-metadata-response.example.json');
    expect(() => parseWire(GetStackMetadataResponseSchema, only([ex], ['stack_name'])[0], ctx)).not.toThrow();
    let err: unknown;
    try {
      parseWire(GetStackMetadataResponseSchema, only([ex], ['stack_id', 'status'])[0], ctx);
    } catch (e) {
      err = e;
    }
    expect((err as StackfeedError).fieldPath).toBe('stack_name');
  });
});
