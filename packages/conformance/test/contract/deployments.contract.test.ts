/**
 * R-deployments on every provider whose client has listDeployments (docs/deployments.md says
 * every client with stack events is a DeploymentSource, so that is every target: checked first).
 * The checks run only over the clients that implement it: none is skipped, and the set itself is
 * asserted against the documentation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Deployment, type DeploymentSource, StackfeedError } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { title } from './rules.js';
import { type LiveTarget, TARGETS, type TargetId } from './targets.js';

const DOC = fileURLToPath(new URL('../../../../docs/deployments.md', import.meta.url));

interface Implementing {
  t: LiveTarget;
  source: DeploymentSource<unknown>;
  listed: Deployment[];
}

const live: LiveTarget[] = [];
const implementing: Implementing[] = [];

beforeAll(async () => {
  for (const target of TARGETS) {
    const t = await target.start();
    live.push(t);
    const source = t.client as Partial<DeploymentSource<unknown>>;
    if (typeof source.listDeployments !== 'function' || typeof source.getDeployment !== 'function') continue;
    const listed = await source.listDeployments(t.ref).toArray({ limit: 1000 });
    implementing.push({ t, source: source as DeploymentSource<unknown>, listed });
  }
}, 240_000);
afterAll(async () => {
  for (const t of live) await t.close();
});

const ms = (d: Date | undefined) => d?.getTime();

describe('R-deployments', () => {
  it(
    title('deployments', 'the clients with listDeployments are the ones docs/deployments.md promises: every target'),
    () => {
      const doc = readFileSync(DOC, 'utf8').replace(/\s+/g, ' ');
      expect(doc).toContain('Every stackfeed client with stack events is a `DeploymentSource`');
      const ids: TargetId[] = implementing.map((i) => i.t.id);
      expect(ids).toEqual(TARGETS.map((t) => t.id));
    },
  );

  it(title('deployments', 'each stack has deployments, newest first, of its own provider'), () => {
    for (const { t, listed } of implementing) {
      expect(listed.length, t.id).toBeGreaterThan(0);
      for (const d of listed) expect(d.provider, t.id).toBe(t.capabilities.provider);
      const starts = listed.map((d) => ms(d.startedAt)).filter((x): x is number => x !== undefined);
      expect(
        starts.every((s, i) => i === 0 || s <= (starts[i - 1] as number)),
        `${t.id}: ${starts.join(',')}`,
      ).toBe(true);
    }
  });

  it(title('deployments', 'durations are the time spanned, never guessed; ends do not precede starts'), () => {
    for (const { t, listed } of implementing) {
      for (const d of listed) {
        const spans = [
          { label: `deployment ${d.id}`, ...d },
          ...d.resources.map((r, i) => ({ label: `resource ${i}`, ...r })),
        ];
        for (const s of spans) {
          const at = `${t.id} ${s.label}`;
          if (s.startedAt === undefined || s.endedAt === undefined) {
            expect(s.durationSeconds, at).toBeUndefined();
            continue;
          }
          expect(s.endedAt.getTime(), at).toBeGreaterThanOrEqual(s.startedAt.getTime());
          expect(s.durationSeconds, at).toBeCloseTo((s.endedAt.getTime() - s.startedAt.getTime()) / 1000, 3);
        }
        expect(d.counts.resources, `${t.id} ${d.id}`).toBe(d.resources.length);
      }
    }
  });

  it(
    title('deployments', 'a failed deployment names a FAILED event as its root cause; a succeeded one names none'),
    () => {
      for (const { t, listed } of implementing) {
        for (const d of listed) {
          const at = `${t.id} ${d.id} (${d.outcome})`;
          if (d.outcome === 'succeeded') expect(d.rootCause, at).toBeUndefined();
          if (d.rootCause) {
            expect(d.rootCause.event.phase, at).toBe('FAILED');
            expect(d.rootCause.resource, at).toEqual(d.rootCause.event.resource);
          }
          if (d.outcome === 'failed') expect(d.rootCause, at).toBeDefined();
        }
      }
    },
  );

  it(title('deployments', 'getDeployment(id) returns the listed deployment; an unknown id is NOT_FOUND'), async () => {
    for (const { t, source, listed } of implementing) {
      for (const d of listed.slice(0, 3)) {
        const got = await source.getDeployment(t.ref, d.id);
        expect({ id: got.id, outcome: got.outcome, startedAt: got.startedAt }, t.id).toEqual({
          id: d.id,
          outcome: d.outcome,
          startedAt: d.startedAt,
        });
      }
      const missing = await source.getDeployment(t.ref, 'no-such-deployment-0').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(StackfeedError.is(missing, 'NOT_FOUND'), `${t.id}: ${String(missing)}`).toBe(true);
    }
  });
});
