import type { Action, Deployment, DeploymentOutcome, StackEvent, StackInfo } from '@stackfeed/core';
import { groupDeployments } from '@stackfeed/core/adapter';
import { STACK_STATUS_TABLE } from '../mapping/tables.js';
import { type Segment, isStackLevel, splitDeployments } from './segments.js';

const PROVIDER = 'huawei-rfs' as const;

/**
 * A stack's deployments from its events, oldest first, in core's `Deployment` shape.
 *
 * Why not core's `groupDeployments` alone: it opens a deployment at a stack-level IN_PROGRESS
 * event and reads start, end, action and outcome from stack-level IN_PROGRESS / COMPLETE / FAILED
 * events. RFS has none: its stack-level events are `LOG` and `SUMMARY` lines (phase INFO) and
 * `ERROR` lines, and its events carry no `deployment_id`. Left to core, every RFS stack would be
 * one deployment with no start, action LOG and outcome unknown. So the boundaries come from
 * {@link splitDeployments} (the opening LOG, the closing SUMMARY, a failure), each event is tagged
 * with its deployment's id, and core groups by that id and computes what is the same on every
 * provider (per-resource timings, counts, the root cause). Start, end, action, outcome and status
 * are then set here from the same boundaries and from the stack's current status, which speaks for
 * the newest deployment only.
 *
 * A failed deployment followed by its rollback is one deployment (as core does for every
 * provider), outcome `rolled-back` once the rollback completes. RFS gives the rollback its own
 * `deployment_id`, but no read API names either id: the ids here are derived (`rfs-<epoch ms of
 * the opening LOG>`, `pruned-<epoch ms>` when the opening is no longer listed), the same on every
 * re-read.
 */
export function rfsDeployments(eventsAnyOrder: readonly StackEvent[], stack: StackInfo): Deployment[] {
  const events = [...eventsAnyOrder].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const groups = mergeRollbacks(splitDeployments(events), stack);
  const taken = new Set<string>();
  const ids = groups.map((g) => uniqueId(idOf(g), taken));
  const tagged = groups.flatMap((g, i) => g.segments.flatMap((s) => s.events.map((e) => withDeployment(e, ids[i]))));
  const byId = new Map(
    groupDeployments(tagged, { provider: PROVIDER, stack: stackKey(stack) }).map((d) => [d.id, d] as const),
  );
  return groups.map((g, i) => finish(byId.get(ids[i] as string) as Deployment, g, stack, i === groups.length - 1));
}

/**
 * One deployment of a deployment-scoped listing (`deployment_id` known): all its events are that
 * deployment, whatever their lines say; the id is the RFS `deployment_id`.
 */
export function rfsScopedDeployment(events: readonly StackEvent[], stack: StackInfo, deploymentId: string): Deployment {
  const sorted = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const segment = summarize(sorted);
  const group: Group = { segments: [segment], rollback: undefined, action: 'UPDATE' };
  const tagged = sorted.map((e) => withDeployment(e, deploymentId));
  const [core] = groupDeployments(tagged, { provider: PROVIDER, stack: stackKey(stack) });
  const base: Deployment = core ?? emptyDeployment(stack, deploymentId);
  // Whether it is the stack's current operation cannot be told from its events alone: only a
  // deployment with no end of its own, on a stack that is running, is taken for the current one.
  const current =
    !segment.summary && !segment.firstFailure && STACK_STATUS_TABLE.map(stack.status).state === 'IN_PROGRESS';
  return finish(base, group, stack, current);
}

/** One deployment's segments: the operation itself and, when it failed, its rollback. */
interface Group {
  segments: Segment[];
  /** The rollback segment merged into a failed deployment. */
  rollback: Segment | undefined;
  action: Action;
}

/** Merge each rollback into the failed deployment it undoes; decide each deployment's action. */
function mergeRollbacks(segments: Segment[], stack: StackInfo): Group[] {
  const groups: Group[] = [];
  const status = STACK_STATUS_TABLE.map(stack.status);
  segments.forEach((segment, i) => {
    const newest = i === segments.length - 1;
    const prev = groups.at(-1);
    const rollback = newest ? status.action === 'ROLLBACK' : onlyDestroys(segment);
    if (prev && !prev.rollback && prev.segments[0]?.firstFailure && rollback) {
      prev.rollback = segment;
      prev.segments.push(segment);
      return;
    }
    // RFS runs deployments (UPDATE of the stack), rollbacks and deletions; only the stack's status
    // says which for the newest one. Older ones are deployments unless they undo a failed one.
    const action: Action =
      newest && status.action !== 'UNKNOWN' && status.action !== 'CREATE' ? status.action : 'UPDATE';
    groups.push({ segments: [segment], rollback: undefined, action });
  });
  return groups;
}

/** A rollback destroys what the failed deployment created: every resource event is a DELETE. */
function onlyDestroys(segment: Segment): boolean {
  const resourceEvents = segment.events.filter((e) => !isStackLevel(e));
  return resourceEvents.length > 0 && resourceEvents.every((e) => e.action === 'DELETE');
}

/** Set start, end, action, outcome and status from the RFS evidence on core's deployment. */
function finish(d: Deployment, g: Group, stack: StackInfo, newest: boolean): Deployment {
  const first = g.segments[0] as Segment;
  const last = g.segments.at(-1) as Segment;
  const status = STACK_STATUS_TABLE.map(stack.status);
  const running = newest && status.state === 'IN_PROGRESS';
  const out: Deployment = { ...d, action: g.action };
  delete out.startedAt;
  delete out.endedAt;
  delete out.durationSeconds;
  if (first.opening) out.startedAt = first.opening.timestamp;
  const outcome = outcomeOf(g, running, newest ? status.outcome : undefined, stack.status);
  out.outcome = outcome;
  if (outcome !== 'in-progress' && outcome !== 'unknown') {
    // The end is the closing SUMMARY, else the last event of a run that failed, else (newest only)
    // the stack's update time once it is terminal: never the time of an event that was not the end.
    const end = last.summary?.timestamp ?? (last.firstFailure ? last.events.at(-1)?.timestamp : undefined);
    const lastMs = (last.events.at(-1) as StackEvent).timestamp.getTime();
    const stackEnd = newest && stack.updatedAt && stack.updatedAt.getTime() >= lastMs ? stack.updatedAt : undefined;
    const endedAt = end ?? stackEnd;
    if (endedAt) out.endedAt = endedAt;
  }
  if (out.startedAt && out.endedAt) out.durationSeconds = (out.endedAt.getTime() - out.startedAt.getTime()) / 1000;
  const lastStackLevel = [...last.events].reverse().find(isStackLevel);
  out.status = newest ? stack.status : (lastStackLevel?.status ?? d.status);
  const reason = newest && stack.reason ? stack.reason : lastStackLevel?.message;
  if (reason !== undefined) out.reason = reason;
  else delete out.reason;
  if (out.rootCause) out.rootCause = withErrorLine(out.rootCause, g);
  return out;
}

function outcomeOf(
  g: Group,
  running: boolean,
  stackOutcome: string | undefined,
  stackStatus: string,
): DeploymentOutcome {
  const op = g.segments[0] as Segment;
  const rb = g.rollback;
  if (rb) {
    if (rb.firstFailure || stackStatus === 'ROLLBACK_FAILED') return 'failed';
    if (rb.summary || stackStatus === 'ROLLBACK_COMPLETE') return 'rolled-back';
    return running ? 'in-progress' : 'failed';
  }
  if (running && !op.summary) return 'in-progress';
  if (op.firstFailure) return 'failed';
  if (op.summary) return 'succeeded';
  if (stackOutcome === 'succeeded') return 'succeeded';
  if (stackOutcome === 'failed') return 'failed';
  return 'unknown';
}

/**
 * RFS reports a resource failure twice: `CREATION_FAILED` ("…: Creation failed") and an `ERROR`
 * line of the same resource with the provider's error text. The reason is the ERROR's text.
 */
function withErrorLine(cause: NonNullable<Deployment['rootCause']>, g: Group): NonNullable<Deployment['rootCause']> {
  if (cause.event.status === 'ERROR') return cause;
  const r = cause.resource;
  const line = g.segments
    .flatMap((s) => s.events)
    .find(
      (e) =>
        e.status === 'ERROR' &&
        e.resource.logicalId === r.logicalId &&
        e.resource.type === r.type &&
        e.resource.key === r.key &&
        e.message !== undefined,
    );
  return line?.message !== undefined ? { ...cause, reason: line.message } : cause;
}

function summarize(events: StackEvent[]): Segment {
  const opening = events.find((e) => isStackLevel(e) && e.status === 'LOG');
  return {
    events,
    opening: opening && events[0] === opening ? opening : undefined,
    summary: events.find((e) => isStackLevel(e) && e.status === 'SUMMARY'),
    firstFailure: events.find((e) => e.phase === 'FAILED'),
    hasResourceEvents: events.some((e) => !isStackLevel(e)),
  };
}

function idOf(g: Group): string {
  const first = g.segments[0] as Segment;
  if (first.opening) return `rfs-${first.opening.timestamp.getTime()}`;
  return `pruned-${(first.events[0] as StackEvent).timestamp.getTime()}`;
}

/** Two deployments opened in the same second must not share an id. */
function uniqueId(id: string, taken: Set<string>): string {
  let out = id;
  for (let n = 2; taken.has(out); n++) out = `${id}-${n}`;
  taken.add(out);
  return out;
}

function withDeployment(e: StackEvent, id: string | undefined): StackEvent {
  return id === undefined || e.deploymentId === id ? e : { ...e, deploymentId: id };
}

function stackKey(stack: StackInfo): { id?: string; name?: string } {
  return stack.id ? { id: stack.id, name: stack.name } : { name: stack.name };
}

function emptyDeployment(stack: StackInfo, id: string): Deployment {
  return {
    provider: PROVIDER,
    stack: stackKey(stack),
    id,
    action: 'UPDATE',
    outcome: 'unknown',
    status: '',
    resources: [],
    counts: { events: 0, resources: 0, complete: 0, failed: 0, inProgress: 0 },
  };
}
