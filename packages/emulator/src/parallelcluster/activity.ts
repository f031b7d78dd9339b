import { type Activity, type ActivityOptions, type ActivityTarget, activityPlan } from '../activity.js';
import type { CfnEventSeed } from '../cloudformation/store.js';
import { PCLUSTER_VERSION, type ParallelClusterWorld } from './world.js';

const STACK = 'AWS::CloudFormation::Stack';
const TYPES = ['AWS::EC2::SecurityGroup', 'AWS::IAM::Role', 'AWS::EC2::LaunchTemplate', 'AWS::EC2::Instance'];

/** CloudFormation's events of a create (or its failure and rollback) of `resources` resources. */
function createEvents(name: string, t0: number, resources: number, stepMs: number, fails: boolean): CfnEventSeed[] {
  const ev: CfnEventSeed[] = [
    { at: t0, logicalId: name, type: STACK, status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' },
  ];
  let t = t0;
  const tick = () => {
    t += stepMs;
    return t;
  };
  const created: number[] = [];
  for (let k = 0; k < resources; k++) {
    const r = { logicalId: `Resource${k}`, type: TYPES[k % TYPES.length] as string };
    const physicalId = `${name}-resource${k}`;
    ev.push({ at: tick(), ...r, status: 'CREATE_IN_PROGRESS' });
    ev.push({
      at: tick(),
      ...r,
      physicalId,
      status: 'CREATE_IN_PROGRESS',
      reason: 'Resource creation Initiated',
    });
    if (fails && k === resources - 1) {
      const reason = 'Resource handler returned message: "quota exceeded" (HandlerErrorCode: ServiceLimitExceeded)';
      ev.push({ at: tick(), ...r, physicalId, status: 'CREATE_FAILED', reason });
      break;
    }
    ev.push({ at: tick(), ...r, physicalId, status: 'CREATE_COMPLETE' });
    created.push(k);
  }
  if (!fails) {
    ev.push({ at: t + stepMs, logicalId: name, type: STACK, status: 'CREATE_COMPLETE' });
    return ev;
  }
  const reason = `The following resource(s) failed to create: [Resource${resources - 1}]. Rollback requested by user.`;
  ev.push({ at: tick(), logicalId: name, type: STACK, status: 'ROLLBACK_IN_PROGRESS', reason });
  for (const k of created.reverse()) {
    const r = {
      logicalId: `Resource${k}`,
      type: TYPES[k % TYPES.length] as string,
      physicalId: `${name}-resource${k}`,
    };
    ev.push({ at: tick(), ...r, status: 'DELETE_IN_PROGRESS' });
    ev.push({ at: tick(), ...r, status: 'DELETE_COMPLETE' });
  }
  ev.push({ at: t + stepMs, logicalId: name, type: STACK, status: 'ROLLBACK_COMPLETE' });
  return ev;
}

/** CloudFormation's events of an update of the first two resources, cleanup phase included. */
function updateEvents(name: string, t0: number, stepMs: number): CfnEventSeed[] {
  const ev: CfnEventSeed[] = [
    { at: t0, logicalId: name, type: STACK, status: 'UPDATE_IN_PROGRESS', reason: 'User Initiated' },
  ];
  let t = t0;
  const tick = () => {
    t += stepMs;
    return t;
  };
  for (let k = 0; k < 2; k++) {
    const r = { logicalId: `Resource${k}`, type: TYPES[k] as string, physicalId: `${name}-resource${k}` };
    ev.push({ at: tick(), ...r, status: 'UPDATE_IN_PROGRESS' });
    ev.push({ at: tick(), ...r, status: 'UPDATE_COMPLETE' });
  }
  ev.push({ at: tick(), logicalId: name, type: STACK, status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' });
  ev.push({ at: t + stepMs, logicalId: name, type: STACK, status: 'UPDATE_COMPLETE' });
  return ev;
}

/**
 * Add `count` clusters (root CloudFormation stacks tagged as ParallelCluster clusters) whose
 * creates start staggered over the span on the world's clock; some fail and roll back, some are
 * updated after a gap. No deletes: a deleted cluster is gone from the API, which a follow cannot
 * tell from one that never was. The truth is the stack's CloudFormation event log (EventId).
 */
export function parallelClusterActivity(world: ParallelClusterWorld, o: ActivityOptions): Activity {
  const plan = activityPlan(o, world.now());
  const prefix = o.prefix ?? 'pc';
  const targets: ActivityTarget[] = [];
  let endsAt = 0;
  for (let i = 0; i < o.count; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}`;
    const fails = plan.fails();
    const stepMs = plan.stepMs();
    const start = plan.startOf(i);
    const stackId = world.cfn.addStack({
      name,
      createdAt: start,
      tags: { 'parallelcluster:version': PCLUSTER_VERSION, 'parallelcluster:cluster-name': name },
      parameters: { ClusterCWLogGroup: `/aws/parallelcluster/${name}`, Scheduler: 'slurm' },
      description: 'AWS ParallelCluster Cluster',
    });
    const events = createEvents(name, start, 2 + Math.floor(plan.random() * 4), stepMs, fails);
    const createEnd = Math.max(...events.map((e) => e.at));
    const operations: ActivityTarget['operations'] = [{ action: 'CREATE', startAt: start, endsAt: createEnd, fails }];
    if (!fails && plan.updates()) {
      const update = updateEvents(name, createEnd + plan.gapMs, stepMs);
      events.push(...update);
      const last = Math.max(...update.map((e) => e.at));
      operations.push({ action: 'UPDATE', startAt: createEnd + plan.gapMs, endsAt: last, fails: false });
    }
    world.cfn.addEvents(stackId, events);
    endsAt = Math.max(endsAt, ...operations.map((op) => op.endsAt));
    targets.push({ provider: 'aws-parallelcluster', kind: 'cluster', name, id: stackId, operations });
  }
  return {
    targets,
    truth: 'log',
    endsAt,
    events: (id) => {
      const now = world.now();
      return (world.cfn.stack(id)?.events ?? []).filter((e) => e.at <= now).map((e) => ({ key: e.eventId, at: e.at }));
    },
  };
}
