import {
  type Activity,
  type ActivityOptions,
  type ActivityTarget,
  type TruthEvent,
  activityPlan,
} from '../activity.js';
import type { ImageBuilderStore, LifecycleResourceSeed } from './store.js';

/** {@link imageBuilderActivity}'s result: pass `onRequest` to the emulator so it records what it serves. */
export interface ImageBuilderActivity extends Activity {
  onRequest(operation: string, input: Record<string, unknown>, store: ImageBuilderStore): void;
}

/**
 * Add `count` lifecycle executions starting staggered over the span on the store's clock: each
 * deprecates 2 to 6 AMIs (one region or two), some then delete them, and a share fail on their
 * last AMI (FAILED, the execution FAILED). Their events are resource states read as snapshots, so
 * the truth is what the emulator served: every resource state in a ListLifecycleExecutionResources
 * answer (one page: at most 25 resources), first-served once each; the end state of each resource
 * is `final`.
 */
export function imageBuilderActivity(store: ImageBuilderStore, o: ActivityOptions): ImageBuilderActivity {
  const plan = activityPlan(o, store.now());
  const prefix = o.prefix ?? 'ib';
  const targets: ActivityTarget[] = [];
  const served = new Map<string, TruthEvent[]>();
  const seen = new Set<string>();
  const finals = new Map<string, Set<string>>();
  let endsAt = 0;
  for (let i = 0; i < o.count; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}`;
    const start = plan.startOf(i);
    const fails = plan.fails();
    const deletes = plan.deletes();
    const stepMs = plan.stepMs();
    const n = 2 + Math.floor(plan.random() * 5);
    const resources: LifecycleResourceSeed[] = [];
    const last = new Set<string>();
    for (let k = 0; k < n; k++) {
      const resourceId = `ami-${(i * 16 + k).toString(16).padStart(17, '0')}`;
      const a = start + k * stepMs;
      const dep = { action: 'DEPRECATE', actionReason: 'older than 90 days', startAt: a, endAt: a + 3 * stepMs };
      const steps: LifecycleResourceSeed['steps'] = [dep];
      if (fails && k === n - 1) {
        Object.assign(dep, { status: 'FAILED', reason: `The AMI ${resourceId} is in use by a launch template.` });
      } else if (deletes) {
        steps.push({
          action: 'DELETE',
          actionReason: 'older than 180 days',
          startAt: dep.endAt + stepMs,
          endAt: dep.endAt + 4 * stepMs,
        });
      }
      const end = steps[steps.length - 1] as LifecycleResourceSeed['steps'][number];
      last.add(`${resourceId}|${end.action}|${end.status ?? 'SUCCESS'}`);
      endsAt = Math.max(endsAt, end.endAt);
      resources.push({
        resourceId,
        region: k % 3 === 2 ? 'eu-west-1' : store.region,
        snapshots: [`snap-${resourceId.slice(4)}`],
        steps,
      });
    }
    const id = store.addLifecycleExecution({
      // One policy per 100 executions: discovery lists each policy's executions.
      policyArn: `arn:aws:imagebuilder:${store.region}:${store.accountId}:lifecycle-policy/${prefix}-policy-${Math.floor(i / 100)}`,
      startAt: start,
      listedFrom: start,
      resources,
    });
    served.set(id, []);
    finals.set(id, last);
    const opEnd = Math.max(...resources.flatMap((r) => r.steps.map((s) => s.endAt)));
    targets.push({
      provider: 'aws-imagebuilder',
      kind: 'lifecycle-execution',
      name,
      id,
      operations: [{ action: 'LIFECYCLE', startAt: start, endsAt: opEnd, fails }],
    });
  }
  return {
    targets,
    truth: 'served',
    endsAt,
    events: (id) => [...(served.get(id) ?? [])],
    onRequest: (operation, input, s) => {
      if (operation !== 'ListLifecycleExecutionResources' || input.parentResourceId !== undefined) return;
      const id = String(input.lifecycleExecutionId);
      const list = served.get(id);
      if (!list) return;
      for (const r of s.wireLifecycleResources(id, undefined).items) {
        const key = `${String(r.resourceId)}|${(r.action as { name: string }).name}|${(r.state as { status: string }).status}`;
        if (seen.has(`${id}|${key}`)) continue;
        seen.add(`${id}|${key}`);
        const at = Number(r.endTime ?? r.startTime) * 1000;
        list.push({ key, at, ...(finals.get(id)?.has(key) ? { final: true } : {}) });
      }
    },
  };
}
