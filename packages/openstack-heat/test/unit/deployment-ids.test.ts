import type { Action, Phase, StackEvent } from '@stackfeed/core';
import { groupDeployments } from '@stackfeed/core/adapter';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeploymentIds } from '../../src/api/deployment-ids.js';

const ROOT = { name: 'top', id: 'root-id' };
const NESTED = { name: 'top-app-x', id: 'nested-id' };

type Kind = 'own' | 'nested-stack' | 'resource';
const event = (i: number, kind: Kind, action: Action, phase: Phase): StackEvent => {
  const stack = kind === 'nested-stack' ? NESTED : ROOT;
  return {
    provider: 'openstack-heat',
    id: `e${i}`,
    // Several events share a second, as on Heat (event_time has whole seconds).
    timestamp: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 1000),
    stack: { ...stack, rootId: ROOT.id, rootName: ROOT.name },
    resource: { logicalId: kind === 'resource' ? `r${i % 3}` : stack.name },
    action,
    phase,
    status: `${action}_${phase}`,
    isStackEvent: kind !== 'resource',
    raw: {},
  };
};

const arbEvents = fc
  .array(
    fc.record({
      kind: fc.constantFrom<Kind>('own', 'own', 'nested-stack', 'resource', 'resource'),
      action: fc.constantFrom<Action>('CREATE', 'UPDATE', 'DELETE', 'ROLLBACK'),
      phase: fc.constantFrom<Phase>('IN_PROGRESS', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'UNKNOWN'),
    }),
    { maxLength: 40 },
  )
  .map((rows) => rows.map((r, i) => event(i, r.kind, r.action, r.phase)));

/** Which events share a deployment, as lists of event ids, oldest deployment first. */
const partition = (events: StackEvent[], ids: Map<string, string | undefined>) => {
  const groups = new Map<string, string[]>();
  for (const e of events) {
    const key = ids.get(e.id) ?? 'pruned';
    groups.set(key, [...(groups.get(key) ?? []), e.id]);
  }
  return [...groups.entries()];
};

describe('DeploymentIds (the streaming rule) against core’s groupDeployments', () => {
  it('assigns, page by page through its token state, what groupDeployments groups', () => {
    fc.assert(
      fc.property(arbEvents, fc.integer({ min: 1, max: 7 }), (events, pageSize) => {
        // Streamed in pages, the state carried between them as a token carries it.
        let track: ReturnType<DeploymentIds['track']> | undefined;
        const streamed = events.map((e) => ({ ...e }));
        for (let at = 0; at < streamed.length; at += pageSize) {
          const ids = new DeploymentIds(ROOT, track && JSON.parse(JSON.stringify(track)));
          for (const e of streamed.slice(at, at + pageSize)) ids.assign(e);
          track = ids.track();
        }
        // Core's grouping of the same events without any id, named by their opening events.
        const grouped = groupDeployments(events, { provider: 'openstack-heat', stack: ROOT, idOf: (o) => o.id });
        const fromCore = new Map<string, string | undefined>();
        let at = 0;
        for (const d of grouped) {
          for (let n = 0; n < d.counts.events; n++) {
            const e = events[at++] as StackEvent;
            fromCore.set(e.id, d.startedAt ? d.id : undefined);
          }
        }
        const fromStream = new Map(streamed.map((e) => [e.id, e.deploymentId]));
        expect(partition(events, fromStream)).toEqual(partition(events, fromCore));
        // And grouping the streamed events (ids set) gives the same deployments again.
        const again = groupDeployments(streamed, { provider: 'openstack-heat', stack: ROOT });
        expect(again.map((d) => [d.id, d.counts.events, d.outcome])).toEqual(
          grouped.map((d) => [d.id, d.counts.events, d.outcome]),
        );
      }),
      { numRuns: 500 },
    );
  });
});
