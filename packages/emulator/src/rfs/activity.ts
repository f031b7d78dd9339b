import { type Activity, type ActivityOptions, type ActivityTarget, activityPlan, canonicalJson } from '../activity.js';
import {
  type RfsScenario,
  type ScenarioResource,
  deploymentFailsAndRollsBack,
  deploymentSucceeds,
  deploymentUpdates,
  seededUuid,
} from './scenarios.js';
import type { RfsStore, StackState } from './store.js';

/** What {@link rfsActivity} needs of an RFS emulator. */
export interface RfsActivityHost {
  readonly store: RfsStore;
  addScenario(s: RfsScenario): StackState;
}

/**
 * Add `count` stacks whose first deployments start staggered over the span (`startAt` is on the
 * emulator's clock: epoch ms); some fail and roll back (ROLLBACK_COMPLETE), some get an in-place
 * update deployment after a gap. No deletes: a deleted RFS stack answers 404 to every call, which
 * a follow cannot tell from a stack that never was. The truth is the stack's event log (RFS
 * events have no id: the key is the record as stored, keys sorted).
 */
export function rfsActivity(emu: RfsActivityHost, clockNow: number, o: ActivityOptions): Activity {
  const plan = activityPlan(o, clockNow);
  const prefix = o.prefix ?? 'rfs';
  const targets: ActivityTarget[] = [];
  const names = new Map<string, string>();
  let endsAt = 0;
  for (let i = 0; i < o.count; i++) {
    const stackName = `${prefix}-${String(i).padStart(5, '0')}`;
    const resources: ScenarioResource[] = [
      { type: 'huaweicloud_vpc', name: 'vpc', seconds: 5 },
      { type: 'huaweicloud_vpc_eip', name: 'eip', count: 1 + Math.floor(plan.random() * 3), seconds: 2 },
    ];
    const fails = plan.fails();
    const stepMs = plan.stepMs();
    const startAt = plan.startOf(i);
    const b = { stackName, startAt, stepMs, resources };
    const s = fails ? deploymentFailsAndRollsBack({ ...b, failAt: 1 }) : deploymentSucceeds(b);
    const createEnd = Math.max(...s.steps.map((x) => x.at));
    const operations: ActivityTarget['operations'] = [
      { action: 'CREATE', startAt, endsAt: startAt + createEnd, fails },
    ];
    if (!fails && plan.updates()) {
      const shift = createEnd + plan.gapMs;
      const update = deploymentUpdates({ ...b, deploymentId: seededUuid(`deployment/${stackName}/2`) });
      s.steps.push(...update.steps.map((x) => ({ ...x, at: x.at + shift })));
      const last = Math.max(...update.steps.map((x) => x.at));
      operations.push({ action: 'UPDATE', startAt: startAt + shift, endsAt: startAt + shift + last, fails: false });
    }
    const state = emu.addScenario({ ...s, existsFrom: startAt });
    names.set(state.id, stackName);
    endsAt = Math.max(endsAt, ...operations.map((op) => op.endsAt));
    targets.push({ provider: 'huawei-rfs', kind: 'stack', name: stackName, id: state.id, operations });
  }
  return {
    targets,
    truth: 'log',
    endsAt,
    events: (id) => {
      const name = names.get(id);
      if (!name) return [];
      emu.store.catchUp();
      return (emu.store.stack(name)?.events ?? []).map((e) => ({ key: canonicalJson(e.wire), at: e.at }));
    },
  };
}
