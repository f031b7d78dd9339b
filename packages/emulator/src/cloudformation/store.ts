import { createHash } from 'node:crypto';

/**
 * CloudFormation's state as TIMELINES: every stack event is seeded with its timestamp up front, and
 * what the API answers is what had happened at the clock's "now". A stack's status, its resources
 * and its existence are derived from its events, so advancing the clock moves a deployment forward.
 */

/** Where "now" comes from (structurally the same as the Image Builder emulator's clock). */
export interface Clock {
  now(): number;
}

/** One CloudFormation stack event as seeded. */
export interface CfnEventSeed {
  at: number;
  logicalId: string;
  physicalId?: string;
  type: string;
  status: string;
  reason?: string;
  properties?: string;
  clientRequestToken?: string;
  hookType?: string;
  hookStatus?: string;
  hookStatusReason?: string;
  hookInvocationPoint?: string;
  hookInvocationId?: string;
  hookFailureMode?: string;
  detailedStatus?: string;
  operationId?: string;
  /**
   * Members the CloudFormation model marks optional that this event leaves out on the wire (a hook
   * event may carry only HookStatus). The store still uses `status` for the stack's own state.
   */
  omit?: readonly OmittableEventMember[];
}

/** The optional members of CloudFormation's `StackEvent` that a seed can leave out. */
export type OmittableEventMember = 'LogicalResourceId' | 'PhysicalResourceId' | 'ResourceType' | 'ResourceStatus';

/**
 * An event as CloudFormation's `StackEvent` shape names it (PascalCase, model order), members the
 * event does not have left out: what DescribeStackEvents sends, and what pcluster converts.
 */
export function cfnEventMembers(e: CfnEvent): Array<[string, string | Date]> {
  const omitted = new Set<string>(e.omit ?? []);
  const members: Array<[string, string | Date | undefined]> = [
    ['StackId', e.stackId],
    ['EventId', e.eventId],
    ['StackName', e.stackName],
    ['OperationId', e.operationId],
    ['LogicalResourceId', e.logicalId],
    // CloudFormation sends an empty PhysicalResourceId before the resource exists.
    ['PhysicalResourceId', e.physicalId ?? ''],
    ['ResourceType', e.type],
    ['Timestamp', new Date(e.at)],
    ['ResourceStatus', e.status],
    ['ResourceStatusReason', e.reason],
    ['ResourceProperties', e.properties],
    ['ClientRequestToken', e.clientRequestToken],
    ['HookType', e.hookType],
    ['HookStatus', e.hookStatus],
    ['HookStatusReason', e.hookStatusReason],
    ['HookInvocationPoint', e.hookInvocationPoint],
    ['HookInvocationId', e.hookInvocationId],
    ['HookFailureMode', e.hookFailureMode],
    ['DetailedStatus', e.detailedStatus],
  ];
  return members.filter((m): m is [string, string | Date] => m[1] !== undefined && !omitted.has(m[0]));
}

/** A stored event. */
export interface CfnEvent extends CfnEventSeed {
  eventId: string;
  stackId: string;
  stackName: string;
}

export interface StackSeed {
  name: string;
  createdAt: number;
  tags?: Record<string, string>;
  parameters?: Record<string, string>;
  description?: string;
  parentId?: string;
  rootId?: string;
  /** Unique part of the ARN (default: derived from the name and creation time). */
  uuid?: string;
}

export interface CfnStack {
  id: string;
  name: string;
  seed: StackSeed;
  /** Ascending by `at` (ties keep insertion order). */
  events: CfnEvent[];
  /** The stack's own events (a subset of `events`), same order: status lookups stay O(log n). */
  stackEvents: CfnEvent[];
}

export interface StackView {
  id: string;
  name: string;
  status: string;
  reason?: string;
  createdAt: number;
  lastUpdatedAt?: number;
  deletedAt?: number;
  tags: Record<string, string>;
  parameters: Record<string, string>;
  description?: string;
  parentId?: string;
  rootId?: string;
}

export interface ResourceView {
  logicalId: string;
  physicalId?: string;
  type: string;
  status: string;
  reason?: string;
  updatedAt: number;
}

export interface CfnStoreOptions {
  clock: Clock;
  region?: string;
  accountId?: string;
}

function uuidOf(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function insertSorted(list: CfnEvent[], ev: CfnEvent): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as CfnEvent).at > ev.at) i--;
  list.splice(i, 0, ev);
}

/** How many entries of an ascending list have `at <= now`. */
function countUpTo(list: readonly CfnEvent[], now: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as CfnEvent).at <= now) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The stacks of one account and region. */
export class CfnStore {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private readonly stacks = new Map<string, CfnStack>();
  private counter = 0;

  constructor(opts: CfnStoreOptions) {
    this.clock = opts.clock;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
  }

  now(): number {
    return this.clock.now();
  }

  /** Create a stack (visible from `createdAt`); returns its ARN. Add its events with `addEvents`. */
  addStack(seed: StackSeed): string {
    const uuid = seed.uuid ?? uuidOf(`${seed.name}|${seed.createdAt}|${this.counter++}`);
    const id = `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${seed.name}/${uuid}`;
    this.stacks.set(id, { id, name: seed.name, seed, events: [], stackEvents: [] });
    return id;
  }

  /** Append events (any order; kept sorted by time). Stack-level events use logicalId = stack name. */
  addEvents(stackId: string, events: CfnEventSeed[]): void {
    const st = this.stacks.get(stackId);
    if (!st) throw new Error(`no stack ${stackId}`);
    for (const e of events) {
      const isStack = e.logicalId === st.name && e.type === 'AWS::CloudFormation::Stack';
      const eventId = isStack
        ? uuidOf(`${stackId}|${e.at}|${e.status}|${this.counter++}`)
        : `${e.logicalId}-${e.status}-${new Date(e.at).toISOString()}-${(this.counter++).toString(36)}`;
      const ev: CfnEvent = {
        ...e,
        ...(isStack && e.physicalId === undefined ? { physicalId: stackId } : {}),
        eventId,
        stackId,
        stackName: st.name,
      };
      // Insert keeping ascending order (stable for equal timestamps).
      insertSorted(st.events, ev);
      if (isStack) insertSorted(st.stackEvents, ev);
    }
  }

  stack(id: string): CfnStack | undefined {
    return this.stacks.get(id);
  }

  /** All stacks ever created, in creation order. */
  allStacks(): CfnStack[] {
    return [...this.stacks.values()];
  }

  /** How many of a stack's events have happened by now (they are the first N). */
  visibleCount(st: CfnStack, now = this.now()): number {
    return countUpTo(st.events, now);
  }

  /** The stack as DescribeStacks shows it now; undefined before it was created. */
  view(st: CfnStack, now = this.now()): StackView | undefined {
    if (st.seed.createdAt > now) return undefined;
    const n = countUpTo(st.stackEvents, now);
    let status = 'CREATE_IN_PROGRESS';
    let reason: string | undefined;
    let lastUpdatedAt: number | undefined;
    let deletedAt: number | undefined;
    const last = st.stackEvents[n - 1];
    if (last) {
      status = last.status;
      reason = last.reason;
      if (status === 'DELETE_COMPLETE') deletedAt = last.at;
    }
    for (let i = n - 1; i >= 0; i--) {
      const e = st.stackEvents[i] as CfnEvent;
      if (e.status.startsWith('UPDATE_')) {
        lastUpdatedAt = e.at;
        break;
      }
    }
    const v: StackView = {
      id: st.id,
      name: st.name,
      status,
      createdAt: st.seed.createdAt,
      tags: st.seed.tags ?? {},
      parameters: st.seed.parameters ?? {},
    };
    if (reason !== undefined) v.reason = reason;
    if (lastUpdatedAt !== undefined) v.lastUpdatedAt = lastUpdatedAt;
    if (deletedAt !== undefined) v.deletedAt = deletedAt;
    if (st.seed.description !== undefined) v.description = st.seed.description;
    if (st.seed.parentId !== undefined) v.parentId = st.seed.parentId;
    if (st.seed.rootId !== undefined) v.rootId = st.seed.rootId;
    return v;
  }

  /**
   * Resolve `StackName` as CloudFormation does: an ARN finds any stack (deleted ones too); a name
   * finds only a stack that is not deleted.
   */
  find(nameOrId: string, now = this.now()): CfnStack | undefined {
    if (nameOrId.startsWith('arn:')) {
      const st = this.stacks.get(nameOrId);
      return st && st.seed.createdAt <= now ? st : undefined;
    }
    let found: CfnStack | undefined;
    for (const st of this.stacks.values()) {
      if (st.name !== nameOrId) continue;
      const v = this.view(st, now);
      if (v && v.status !== 'DELETE_COMPLETE') found = st;
    }
    return found;
  }

  /**
   * One DescribeStackEvents page, newest first. The token anchors on the position in the
   * (append-only) event timeline, so events that happen while a client pages do not shift pages.
   */
  eventsPage(st: CfnStack, token: string | undefined, pageSize: number): { events: CfnEvent[]; next?: string } {
    let before: number;
    if (token) {
      let t: { s?: unknown; b?: unknown };
      try {
        t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: unknown; b?: unknown };
      } catch {
        throw new Error('Invalid NextToken');
      }
      if (t.s !== st.id || typeof t.b !== 'number') throw new Error('Invalid NextToken');
      before = Math.min(t.b, st.events.length);
    } else before = this.visibleCount(st);
    const from = Math.max(0, before - pageSize);
    const events: CfnEvent[] = [];
    for (let i = before - 1; i >= from; i--) events.push(st.events[i] as CfnEvent);
    return from > 0
      ? { events, next: Buffer.from(JSON.stringify({ s: st.id, b: from })).toString('base64url') }
      : { events };
  }

  /** The current state of each resource of a stack (from its latest event). */
  resources(st: CfnStack, now = this.now()): ResourceView[] {
    const n = this.visibleCount(st, now);
    const byId = new Map<string, ResourceView>();
    for (let i = 0; i < n; i++) {
      const e = st.events[i] as CfnEvent;
      if (e.logicalId === st.name && e.type === 'AWS::CloudFormation::Stack') continue;
      // A hook event without a ResourceStatus does not change the resource's status.
      if (e.omit?.includes('ResourceStatus')) continue;
      const prev = byId.get(e.logicalId);
      const r: ResourceView = {
        logicalId: e.logicalId,
        type: e.type,
        status: e.status,
        updatedAt: e.at,
      };
      const physical = e.physicalId ?? prev?.physicalId;
      if (physical !== undefined) r.physicalId = physical;
      if (e.reason !== undefined) r.reason = e.reason;
      byId.set(e.logicalId, r);
    }
    return [...byId.values()];
  }
}
