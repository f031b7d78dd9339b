import { createHash } from 'node:crypto';

/**
 * Scripted RFS stacks. A scenario is a stack plus a list of steps; each step may add events
 * (under a deployment id), change the stack status, or delete the stack. `history` steps are
 * applied when the scenario is added; `steps` when the emulator's clock reaches `start + at`
 * (or on demand: `emulator.advance()`). Event times are `start + at`, whole seconds, as RFS sends.
 */

/** One event as the emulator stores it; `time` is filled in when its step is applied. */
export interface ScenarioEvent {
  event_type: string;
  event_message?: string;
  resource_type?: string;
  resource_name?: string;
  resource_id_key?: string;
  resource_id_value?: string;
  resource_key?: string;
  elapsed_seconds?: number;
}

export interface ScenarioStep {
  /** Milliseconds after the scenario's start (negative for history). */
  at: number;
  /** Deployment id the step's events belong to. */
  deploymentId?: string;
  events?: ScenarioEvent[];
  status?: string;
  /** New status_message; null clears it. */
  statusMessage?: string | null;
  /** The stack disappears (every call answers 404 from now on). */
  delete?: boolean;
}

export interface RfsScenario {
  stackName: string;
  stackId: string;
  description?: string;
  /** Scenario start (ms epoch); default: the emulator clock when the scenario is added. */
  startAt?: number;
  /** Status before any step. */
  initialStatus: string;
  /** Before this instant (ms on the emulator clock) the stack does not exist: not listed, 404 (default: it exists once added). */
  existsFrom?: number;
  /** Applied at once when the scenario is added (the stack's past). */
  history: ScenarioStep[];
  /** Applied as time passes, or one by one with `advance()`. */
  steps: ScenarioStep[];
}

/** A resource in a scenario template: plain, with `count`, or with `for_each` keys. */
export interface ScenarioResource {
  type: string;
  name: string;
  count?: number;
  forEach?: string[];
  /** Seconds the creation takes (elapsed_seconds). */
  seconds?: number;
}

export interface BuilderOptions {
  stackName?: string;
  stackId?: string;
  startAt?: number;
  /** Milliseconds between steps (default 1000: one event second per step). */
  stepMs?: number;
  resources?: ScenarioResource[];
  deploymentId?: string;
}

/** A deterministic UUID from a seed (scenarios are reproducible). */
export function seededUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const DEFAULT_RESOURCES: ScenarioResource[] = [
  { type: 'huaweicloud_vpc', name: 'vpc', seconds: 6 },
  { type: 'huaweicloud_vpc_subnet', name: 'subnet', count: 2, seconds: 4 },
  { type: 'huaweicloud_compute_instance', name: 'server', forEach: ['web', 'api'], seconds: 32 },
];

interface Instance {
  type: string;
  name: string;
  key?: string;
  seconds: number;
  id: string;
}

function instances(resources: ScenarioResource[], seed: string): Instance[] {
  const out: Instance[] = [];
  for (const r of resources) {
    const keys =
      r.forEach ?? (r.count !== undefined ? Array.from({ length: r.count }, (_, i) => String(i)) : [undefined]);
    for (const key of keys) {
      out.push({
        type: r.type,
        name: r.name,
        ...(key !== undefined ? { key } : {}),
        seconds: r.seconds ?? 3,
        id: seededUuid(`${seed}/${r.type}.${r.name}/${key ?? ''}`),
      });
    }
  }
  return out;
}

function address(i: Instance): string {
  if (i.key === undefined) return `${i.type}.${i.name}`;
  return /^\d+$/.test(i.key) ? `${i.type}.${i.name}[${i.key}]` : `${i.type}.${i.name}["${i.key}"]`;
}

function resourceFields(i: Instance): Pick<ScenarioEvent, 'resource_type' | 'resource_name' | 'resource_key'> {
  return { resource_type: i.type, resource_name: i.name, ...(i.key !== undefined ? { resource_key: i.key } : {}) };
}

const creating = (i: Instance): ScenarioEvent => ({
  ...resourceFields(i),
  event_type: 'CREATION_IN_PROGRESS',
  event_message: `${address(i)}: Creating...`,
});
const created = (i: Instance): ScenarioEvent => ({
  ...resourceFields(i),
  resource_id_key: 'id',
  resource_id_value: i.id,
  event_type: 'CREATION_COMPLETE',
  event_message: `${address(i)}: Creation complete after ${i.seconds}s [id=${i.id}]`,
  elapsed_seconds: i.seconds,
});
const destroying = (i: Instance): ScenarioEvent => ({
  ...resourceFields(i),
  resource_id_key: 'id',
  resource_id_value: i.id,
  event_type: 'DELETION_IN_PROGRESS',
  event_message: `${address(i)}: Destroying... [id=${i.id}]`,
});
const destroyed = (i: Instance, seconds = 2): ScenarioEvent => ({
  ...resourceFields(i),
  resource_id_key: 'id',
  resource_id_value: i.id,
  event_type: 'DELETION_COMPLETE',
  event_message: `${address(i)}: Destruction complete after ${seconds}s`,
  elapsed_seconds: seconds,
});

function base(o: BuilderOptions, name: string) {
  const stackName = o.stackName ?? name;
  return {
    stackName,
    stackId: o.stackId ?? seededUuid(`stack/${stackName}`),
    stepMs: o.stepMs ?? 1000,
    resources: o.resources ?? DEFAULT_RESOURCES,
    deploymentId: o.deploymentId ?? seededUuid(`deployment/${stackName}/1`),
    ...(o.startAt !== undefined ? { startAt: o.startAt } : {}),
  };
}

/** The LOG line every deployment opens with. */
function applyStarted(): ScenarioEvent {
  return { event_type: 'LOG', event_message: 'Apply required resource success. ' };
}

/**
 * Steps `stepMs` apart from `startAt` (default 0): `add` appends one at the current time and moves
 * the time on; `at` is the time of the next one.
 */
function timeline(stepMs: number, startAt = 0) {
  const steps: ScenarioStep[] = [];
  let at = startAt;
  return {
    steps,
    add(s: Omit<ScenarioStep, 'at'> & { at?: number }) {
      const next: ScenarioStep = { at, ...s };
      next.at = at; // a step built elsewhere (applyComplete) takes this timeline's time
      steps.push(next);
      at += stepMs;
    },
    get at() {
      return at;
    },
  };
}

/** An empty stack deployed successfully: every resource created, then DEPLOYMENT_COMPLETE. */
export function deploymentSucceeds(o: BuilderOptions = {}): RfsScenario {
  const b = base(o, 'demo-success');
  const list = instances(b.resources, b.stackName);
  const t = timeline(b.stepMs);
  const d = b.deploymentId;
  t.add({ deploymentId: d, status: 'DEPLOYMENT_IN_PROGRESS', events: [applyStarted()] });
  for (const i of list) t.add({ deploymentId: d, events: [creating(i)] });
  for (const i of list) t.add({ deploymentId: d, events: [created(i)] });
  t.add(applyComplete(d, true, list.length));
  const steps = t.steps;
  return {
    stackName: b.stackName,
    stackId: b.stackId,
    description: 'a deployment that succeeds',
    ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
    initialStatus: 'CREATION_COMPLETE',
    history: [],
    steps,
  };
}

/**
 * A deployment where one resource fails (CREATION_FAILED + ERROR), the stack goes
 * ROLLBACK_IN_PROGRESS, the created resources are destroyed under a rollback deployment id, and the
 * stack ends ROLLBACK_COMPLETE. `failAt` picks the failing instance (default: the last).
 */
export function deploymentFailsAndRollsBack(
  o: BuilderOptions & { failAt?: number; rollbackDeploymentId?: string } = {},
): RfsScenario {
  const b = base(o, 'demo-rollback');
  const list = instances(b.resources, b.stackName);
  const failIndex = Math.min(o.failAt ?? list.length - 1, list.length - 1);
  const rollbackId = o.rollbackDeploymentId ?? seededUuid(`deployment/${b.stackName}/rollback`);
  const failing = list[failIndex] as Instance;
  const ok = list.slice(0, failIndex);
  const errorText = `Error: error creating ${address(failing)}: Bad request with: [POST https://ecs.cn-north-4.myhuaweicloud.com/v1.1/0123456789abcdef0123456789abcdef/cloudservers], error message: {"error":{"code":"Ecs.0013","message":"Insufficient EIP quota."}}`;
  const t = timeline(b.stepMs);
  const step = t.add;
  const d = b.deploymentId;
  step({ deploymentId: d, status: 'DEPLOYMENT_IN_PROGRESS', events: [applyStarted()] });
  for (const i of ok) step({ deploymentId: d, events: [creating(i)] });
  for (const i of ok) step({ deploymentId: d, events: [created(i)] });
  step({ deploymentId: d, events: [creating(failing)] });
  step({
    deploymentId: d,
    events: [
      {
        ...resourceFields(failing),
        event_type: 'CREATION_FAILED',
        event_message: `${address(failing)}: Creation failed`,
        elapsed_seconds: 1,
      },
      { ...resourceFields(failing), event_type: 'ERROR', event_message: errorText },
    ],
  });
  step({
    deploymentId: rollbackId,
    status: 'ROLLBACK_IN_PROGRESS',
    statusMessage: null,
    events: [{ event_type: 'LOG', event_message: 'Deployment failed, rolling back. ' }],
  });
  for (const i of [...ok].reverse()) step({ deploymentId: rollbackId, events: [destroying(i)] });
  for (const i of [...ok].reverse()) step({ deploymentId: rollbackId, events: [destroyed(i)] });
  step({
    deploymentId: rollbackId,
    status: 'ROLLBACK_COMPLETE',
    events: [{ event_type: 'SUMMARY', event_message: `Destroy complete! Resources: ${ok.length} destroyed.` }],
  });
  return {
    stackName: b.stackName,
    stackId: b.stackId,
    description: 'a deployment that fails and rolls back',
    ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
    initialStatus: 'CREATION_COMPLETE',
    history: [],
    steps: t.steps,
  };
}

/**
 * A deployment that fails with auto-rollback off: the resources before `failAt` are created, the
 * failing one answers CREATION_FAILED + ERROR (the provider's error text), and the stack ends
 * DEPLOYMENT_FAILED with that text as status_message. No rollback runs.
 */
export function deploymentFails(o: BuilderOptions & { failAt?: number } = {}): RfsScenario {
  const s = deploymentFailsAndRollsBack({ ...o, stackName: o.stackName ?? 'demo-fail' });
  const deployment = s.steps.filter((x) => x.deploymentId === s.steps[0]?.deploymentId);
  const failureLine = deployment.at(-1)?.events?.find((e) => e.event_type === 'ERROR');
  const last = deployment.at(-1) as ScenarioStep;
  return {
    ...s,
    description: 'a deployment that fails (no rollback)',
    steps: [
      ...deployment.slice(0, -1),
      { ...last, status: 'DEPLOYMENT_FAILED', statusMessage: failureLine?.event_message ?? 'deployment failed' },
    ],
  };
}

/** A deployed stack that is deleted: DELETION_IN_PROGRESS, resources destroyed, then gone (404). */
export function stackDeletion(o: BuilderOptions & { deletionDeploymentId?: string } = {}): RfsScenario {
  const b = base(o, 'demo-delete');
  const list = instances(b.resources, b.stackName);
  const d = b.deploymentId;
  const past = timeline(b.stepMs, -(list.length * 2 + 10) * b.stepMs);
  past.add({ deploymentId: d, status: 'DEPLOYMENT_IN_PROGRESS', events: [applyStarted()] });
  for (const i of list) past.add({ deploymentId: d, events: [creating(i)] });
  for (const i of list) past.add({ deploymentId: d, events: [created(i)] });
  past.add(applyComplete(d, true, list.length));
  const history = past.steps;
  const del = o.deletionDeploymentId ?? seededUuid(`deployment/${b.stackName}/delete`);
  const now = timeline(b.stepMs);
  const step = (s: Omit<ScenarioStep, 'at' | 'deploymentId'>) => now.add({ deploymentId: del, ...s });
  const steps = now.steps;
  step({
    status: 'DELETION_IN_PROGRESS',
    events: [{ event_type: 'LOG', event_message: 'Destroy required resource success. ' }],
  });
  for (const i of [...list].reverse()) step({ events: [destroying(i)] });
  for (const i of [...list].reverse()) step({ events: [destroyed(i)] });
  step({
    events: [{ event_type: 'SUMMARY', event_message: `Destroy complete! Resources: ${list.length} destroyed.` }],
  });
  step({ delete: true });
  return {
    stackName: b.stackName,
    stackId: b.stackId,
    description: 'a stack that is deleted',
    ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
    initialStatus: 'CREATION_COMPLETE',
    history,
    steps,
  };
}

/** An in-place update of one instance: UPDATE_IN_PROGRESS, then UPDATE_COMPLETE after 3 s. */
function updating(i: Instance): ScenarioEvent[] {
  const upd = { ...resourceFields(i), resource_id_key: 'id', resource_id_value: i.id };
  return [
    { ...upd, event_type: 'UPDATE_IN_PROGRESS', event_message: `${address(i)}: Modifying... [id=${i.id}]` },
    {
      ...upd,
      event_type: 'UPDATE_COMPLETE',
      event_message: `${address(i)}: Modifications complete after 3s [id=${i.id}]`,
      elapsed_seconds: 3,
    },
  ];
}

/** An in-place update of a deployed stack: every instance modified, then DEPLOYMENT_COMPLETE. */
export function deploymentUpdates(o: BuilderOptions = {}): RfsScenario {
  const b = base(o, 'demo-update');
  const list = instances(b.resources, b.stackName);
  const t = timeline(b.stepMs);
  const d = b.deploymentId;
  t.add({ deploymentId: d, status: 'DEPLOYMENT_IN_PROGRESS', events: [applyStarted()] });
  const changes = list.map(updating);
  for (const [modifying] of changes) t.add({ deploymentId: d, events: [modifying as ScenarioEvent] });
  for (const [, modified] of changes) t.add({ deploymentId: d, events: [modified as ScenarioEvent] });
  t.steps.push({ ...applyComplete(d, false, list.length), at: t.at });
  const steps = t.steps;
  return {
    stackName: b.stackName,
    stackId: b.stackId,
    description: 'an in-place update that succeeds',
    ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
    initialStatus: 'DEPLOYMENT_COMPLETE',
    history: [],
    steps,
  };
}

/** The last step of a deployment: its SUMMARY line and DEPLOYMENT_COMPLETE. */
function applyComplete(deploymentId: string, created: boolean, count: number): ScenarioStep {
  const changes = created ? `${count} added, 0 changed` : `0 added, ${count} changed`;
  return {
    at: 0,
    deploymentId,
    status: 'DEPLOYMENT_COMPLETE',
    events: [{ event_type: 'SUMMARY', event_message: `Apply complete! Resources: ${changes}, 0 destroyed.` }],
  };
}

/**
 * A deployed stack with `count` and `for_each` resources and a long history (several deployments:
 * creation, in-place updates, replacements), about `eventCount` events, already in the past.
 * Each history second holds several events, and every deployment logs the same LOG line twice in
 * one second (exact duplicates, as RFS can return them).
 */
export function largeStack(
  o: BuilderOptions & { eventCount?: number; countResources?: number; forEachKeys?: number } = {},
): RfsScenario {
  const b = base(o, 'demo-large');
  const target = o.eventCount ?? 3000;
  const countN = o.countResources ?? 40;
  const keys = Array.from({ length: o.forEachKeys ?? 25 }, (_, i) => `node-${String(i).padStart(3, '0')}`);
  const list = instances(
    o.resources ?? [
      { type: 'huaweicloud_vpc', name: 'vpc', seconds: 5 },
      { type: 'huaweicloud_vpc_eip', name: 'eip', count: countN, seconds: 2 },
      { type: 'huaweicloud_compute_instance', name: 'node', forEach: keys, seconds: 40 },
    ],
    b.stackName,
  );
  const deployments: ScenarioStep[][] = [];
  let total = 0;
  let n = 0;
  while (total < target) {
    const dep = n === 0 ? b.deploymentId : seededUuid(`deployment/${b.stackName}/${n + 1}`);
    const steps: ScenarioStep[] = [];
    const perStep = 4;
    let pending: ScenarioEvent[] = [];
    const flush = () => {
      if (pending.length) steps.push({ at: 0, deploymentId: dep, events: pending });
      pending = [];
    };
    const push = (e: ScenarioEvent) => {
      // Keep one event of the target for the deployment's SUMMARY line.
      if (total >= target - 1) return;
      pending.push(e);
      total++;
      if (pending.length >= perStep) flush();
    };
    steps.push({ at: 0, deploymentId: dep, status: 'DEPLOYMENT_IN_PROGRESS' });
    push(applyStarted());
    push(applyStarted());
    flush();
    for (const i of list) for (const e of n === 0 ? [creating(i), created(i)] : updating(i)) push(e);
    flush();
    steps.push(applyComplete(dep, n === 0, list.length));
    total++;
    deployments.push(steps);
    n++;
  }
  const all = deployments.flat();
  const history = all.map((s, i) => ({ ...s, at: (i - all.length) * b.stepMs }));
  return {
    stackName: b.stackName,
    stackId: b.stackId,
    description: `a stack with count/for_each resources and ${total} events`,
    ...(b.startAt !== undefined ? { startAt: b.startAt } : {}),
    initialStatus: 'CREATION_COMPLETE',
    history,
    steps: [],
  };
}

/** What {@link stackFleet} builds. */
export interface StackFleetOptions {
  /** How many stacks. */
  count: number;
  /** Stack names are `<prefix><index, 4 digits>` (default `fleet-`). */
  namePrefix?: string;
  /** Every n-th stack (index % n === 0) has a deployment running; 0 = none (default 5). */
  inProgressEvery?: number;
  /** Every n-th stack among the others ended DEPLOYMENT_FAILED; 0 = none (default 7). */
  failedEvery?: number;
  /** Milliseconds between steps (default 1000). */
  stepMs?: number;
  startAt?: number;
}

/**
 * Many small stacks for discovery and fleet runs: each has one past deployment (one VPC created);
 * a share of them ended DEPLOYMENT_FAILED (ERROR + CREATION_FAILED, status_message set), and a share
 * has a deployment running now whose remaining steps play as the clock advances. Creation times
 * step back one second per index, so ListStacks (newest created first) lists them by index.
 */
export function stackFleet(o: StackFleetOptions): RfsScenario[] {
  const prefix = o.namePrefix ?? 'fleet-';
  const activeEvery = o.inProgressEvery ?? 5;
  const failedEvery = o.failedEvery ?? 7;
  const stepMs = o.stepMs ?? 1000;
  const out: RfsScenario[] = [];
  for (let n = 0; n < o.count; n++) {
    const stackName = `${prefix}${String(n).padStart(4, '0')}`;
    const [vpc] = instances([{ type: 'huaweicloud_vpc', name: 'vpc', seconds: 2 }], stackName) as [Instance];
    const dep = seededUuid(`deployment/${stackName}/1`);
    const active = activeEvery > 0 && n % activeEvery === 0;
    const failed = !active && failedEvery > 0 && n % failedEvery === 0;
    const start: ScenarioStep = {
      at: -(n + 4) * stepMs,
      deploymentId: dep,
      status: 'DEPLOYMENT_IN_PROGRESS',
      events: [applyStarted(), creating(vpc)],
    };
    const end: ScenarioStep = failed
      ? {
          at: 0,
          deploymentId: dep,
          status: 'DEPLOYMENT_FAILED',
          statusMessage: `Error: error creating ${address(vpc)}: quota exceeded`,
          events: [
            {
              ...resourceFields(vpc),
              event_type: 'CREATION_FAILED',
              event_message: `${address(vpc)}: Creation failed`,
            },
            { ...resourceFields(vpc), event_type: 'ERROR', event_message: `Error: error creating ${address(vpc)}` },
          ],
        }
      : {
          at: 0,
          deploymentId: dep,
          status: 'DEPLOYMENT_COMPLETE',
          events: [
            created(vpc),
            { event_type: 'SUMMARY', event_message: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' },
          ],
        };
    out.push({
      stackName,
      stackId: seededUuid(`stack/${stackName}`),
      ...(o.startAt !== undefined ? { startAt: o.startAt } : {}),
      initialStatus: 'CREATION_COMPLETE',
      history: active ? [start] : [start, { ...end, at: start.at + stepMs }],
      steps: active ? [{ ...end, at: stepMs }] : [],
    });
  }
  return out;
}
