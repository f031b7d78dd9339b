import { createHash } from 'node:crypto';

/**
 * The Image Builder emulator's state. Scenarios seed lifecycle executions, images (build versions)
 * and workflow executions as TIMELINES (each step has a start and an end instant); what the API
 * answers is derived from the clock at read time. Advancing a {@link ManualClock} therefore moves
 * every execution forward, which is what watch tests need.
 *
 * All wire objects produced here use the exact member names of the Image Builder model
 * (API 2019-12-02): `DateTime` members (`dateCreated`, workflow/step `startTime`/`endTime`) are ISO
 * strings, `DateTimeTimestamp` members (lifecycle `startTime`/`endTime`, `deprecationTime`) are epoch
 * seconds (JSON numbers), as rest-json sends them.
 */

/** Where the emulator's "now" comes from. */
export interface EmulatorClock {
  now(): number;
}

/** A clock that only moves when told to: scenarios and watch tests drive it. */
export class ManualClock implements EmulatorClock {
  private t: number;
  constructor(start: number | Date = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.t;
  }
  /** Move forward by `ms` milliseconds. */
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
  /** Jump to an instant. */
  set(t: number | Date): void {
    this.t = typeof t === 'number' ? t : t.getTime();
  }
}

/** The real clock. */
export const systemClock: EmulatorClock = { now: () => Date.now() };

/** A UUID-shaped id derived from `seed`, so scenarios are reproducible. */
export function fakeUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Seeds (what a scenario writes)

/** One action a lifecycle execution takes on one resource, with when it runs. */
export interface LifecycleStepSeed {
  /** `DEPRECATE`, `DELETE`, `DISABLE`, `AVAILABLE` (or any future literal). */
  action: string;
  /** Why the policy took this action (`action.reason`). */
  actionReason?: string;
  startAt: number;
  endAt: number;
  /** Status once the step ends: `SUCCESS` (default), `FAILED`, `SKIPPED` (or any literal). */
  status?: string;
  /** `state.reason` once the step ends (e.g. the failure). */
  reason?: string;
}

/** One resource a lifecycle execution acts on. */
export interface LifecycleResourceSeed {
  resourceId: string;
  accountId?: string;
  region?: string;
  /** The ARN of the parent (an Image Builder image) for associated AMIs / container images. */
  parentResourceId?: string;
  /** Snapshot ids of an AMI; their state follows the AMI's. */
  snapshots?: string[];
  /** Container image URIs (ECR). */
  imageUris?: string[];
  /** The actions in order; a step that fails should be the last. */
  steps: LifecycleStepSeed[];
}

export interface LifecycleExecutionSeed {
  /** `lce-<uuid>`; derived from `policyArn` and `startAt` when absent. */
  id?: string;
  policyArn: string;
  /** Resource ARNs under which ListLifecycleExecutions lists this execution (the policy ARN always). */
  resourceArns?: string[];
  startAt: number;
  /** Cancel at this instant (state CANCELLING for `cancelGraceMs`, then CANCELLED). */
  cancelAt?: number;
  cancelGraceMs?: number;
  /** ListLifecycleExecutions lists it from this instant (default: once added, PENDING until `startAt`). */
  listedFrom?: number;
  /** Overrides the final status/reason (otherwise FAILED when a resource failed, else SUCCESS). */
  finalStatus?: string;
  finalReason?: string;
  resources: LifecycleResourceSeed[];
}

/** A lifecycle policy (ListLifecyclePolicies). Executions name theirs by `policyArn`. */
export interface LifecyclePolicySeed {
  /** Default: `arn:aws:imagebuilder:<region>:<account>:lifecycle-policy/<name>`. */
  arn?: string;
  name: string;
  description?: string;
  /** `ENABLED` (default) or `DISABLED`. */
  status?: string;
  /** `AMI_IMAGE` (default) or `CONTAINER_IMAGE`. */
  resourceType?: string;
  executionRole?: string;
  createdAt?: number;
  tags?: Record<string, string>;
}

export interface WorkflowStepSeed {
  /** `step-<uuid>`; derived when absent. */
  id?: string;
  name: string;
  /** The step action literal, e.g. `LaunchBuildInstance`, `RunCommand`, `CreateImage`. */
  action: string;
  description?: string;
  startAt: number;
  endAt: number;
  /** Status once the step ends: `COMPLETED` (default), `FAILED`, `SKIPPED`, `CANCELLED`. */
  status?: string;
  message?: string;
  /** JSON string or object (sent as a JSON string). */
  inputs?: string | Record<string, unknown>;
  /** JSON string or object; sent once the step has ended. */
  outputs?: string | Record<string, unknown>;
  /** A rollback of this step (after a later step failed). */
  rollback?: { startAt: number; endAt: number; status?: string };
}

export interface WorkflowExecutionSeed {
  /** `wf-<uuid>`; derived when absent. */
  id?: string;
  /** `BUILD`, `TEST`, `DISTRIBUTION`. */
  type: string;
  workflowBuildVersionArn?: string;
  startAt: number;
  parallelGroup?: string;
  retried?: boolean;
  /** Message once the workflow is over (default: one derived from the outcome). */
  message?: string;
  /** Mark the whole workflow SKIPPED. */
  skipped?: boolean;
  steps: WorkflowStepSeed[];
}

export interface ImageStatusSeed {
  at: number;
  status: string;
  reason?: string;
}

export interface ImageSeed {
  name: string;
  /** Semantic version `x.y.z`. */
  version: string;
  /** Build number (default: next free for name/version). */
  build?: number;
  region?: string;
  accountId?: string;
  /** `owner` as ListImages reports it (default: the account id). */
  owner?: string;
  type?: 'AMI' | 'DOCKER' | string;
  platform?: string;
  osVersion?: string;
  buildType?: string;
  imageSource?: string;
  createdAt: number;
  /** Status timeline (default: AVAILABLE from `createdAt`). */
  statuses?: ImageStatusSeed[];
  /** Output AMIs; reported once `outputsAt` (default: when the status is AVAILABLE) is reached. */
  amis?: Array<{
    region: string;
    image: string;
    name?: string;
    description?: string;
    accountId?: string;
    state?: { status: string; reason?: string };
  }>;
  containers?: Array<{ region: string; imageUris: string[] }>;
  outputsAt?: number;
  tags?: Record<string, string>;
  deprecationTime?: number;
  lifecycleExecutionId?: string;
  workflows?: WorkflowExecutionSeed[];
  /**
   * More `Image` members for GetImage, sent as given (e.g. `imageRecipe`, `infrastructureConfiguration`,
   * `distributionConfiguration`, `sourcePipelineArn`, `imageScanningConfiguration`, `scanState`).
   */
  extra?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Records (what the store keeps)

interface LifecycleRecord {
  seed: LifecycleExecutionSeed;
  id: string;
  order: number;
  stateAt?: { now: number; state: { status: string; reason?: string; endAt?: number } };
  /** Resources by parent (key '' = top level), built on first read; rebuilt if the seed grows. */
  byParent?: { count: number; map: Map<string, LifecycleResourceSeed[]> };
}

interface StepRecord {
  seed: WorkflowStepSeed;
  id: string;
}

interface WorkflowRecord {
  seed: WorkflowExecutionSeed;
  id: string;
  imageBuildVersionArn: string;
  workflowBuildVersionArn: string;
  steps: StepRecord[];
}

interface ImageRecord {
  seed: ImageSeed;
  arn: string;
  versionArn: string;
  region: string;
  accountId: string;
  build: number;
  workflows: WorkflowRecord[];
}

/** What each list answers: the items at the current clock. */
export type WireObject = Record<string, unknown>;

const iso = (ms: number) => new Date(ms).toISOString();
const epoch = (ms: number) => ms / 1000;

function jsonText(v: string | Record<string, unknown> | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export interface ImageBuilderStoreOptions {
  clock?: EmulatorClock;
  /** Default account of seeded resources (default `123456789012`). */
  accountId?: string;
  /** Default region of seeded resources (default `us-east-1`). */
  region?: string;
}

/** Terminal image statuses: a build is over once it reaches one of these. */
export const TERMINAL_IMAGE_STATUSES: ReadonlySet<string> = new Set([
  'AVAILABLE',
  'FAILED',
  'CANCELLED',
  'DEPRECATED',
  'DISABLED',
  'DELETED',
]);

/**
 * The emulator's data. Seed it with `addLifecycleExecution`, `addImage`, `addWorkflowExecution`;
 * the `wire*` methods render what the API answers at the current clock.
 */
export class ImageBuilderStore {
  readonly clock: EmulatorClock;
  readonly accountId: string;
  readonly region: string;
  private readonly lifecycle = new Map<string, LifecycleRecord>();
  private readonly images = new Map<string, ImageRecord>();
  private readonly workflows = new Map<string, WorkflowRecord>();
  private readonly policies = new Map<string, LifecyclePolicySeed & { arn: string }>();
  private counter = 0;

  constructor(opts: ImageBuilderStoreOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.accountId = opts.accountId ?? '123456789012';
    this.region = opts.region ?? 'us-east-1';
  }

  /** Current emulator time (ms). */
  now(): number {
    return this.clock.now();
  }

  // ----- seeding -----------------------------------------------------------------------------

  /** Add a lifecycle execution; returns its `lce-…` id. */
  addLifecycleExecution(seed: LifecycleExecutionSeed): string {
    const id = seed.id ?? `lce-${fakeUuid(`${seed.policyArn}|${seed.startAt}|${this.counter++}`)}`;
    if (this.lifecycle.has(id)) throw new Error(`lifecycle execution ${id} already exists`);
    this.lifecycle.set(id, { seed, id, order: this.lifecycle.size });
    return id;
  }

  /** Add a lifecycle policy; returns its ARN. */
  addLifecyclePolicy(seed: LifecyclePolicySeed): string {
    const arn = seed.arn ?? `arn:aws:imagebuilder:${this.region}:${this.accountId}:lifecycle-policy/${seed.name}`;
    if (this.policies.has(arn)) throw new Error(`lifecycle policy ${arn} already exists`);
    this.policies.set(arn, { ...seed, arn });
    return arn;
  }

  /** Add an image build version (with its workflows); returns its build version ARN. */
  addImage(seed: ImageSeed): string {
    const region = seed.region ?? this.region;
    const accountId = seed.accountId ?? this.accountId;
    const versionArn = `arn:aws:imagebuilder:${region}:${accountId}:image/${seed.name}/${seed.version}`;
    let build = seed.build;
    if (build === undefined) {
      build = 1;
      while (this.images.has(`${versionArn}/${build}`)) build++;
    }
    const arn = `${versionArn}/${build}`;
    if (this.images.has(arn)) throw new Error(`image ${arn} already exists`);
    const rec: ImageRecord = { seed, arn, versionArn, region, accountId, build, workflows: [] };
    this.images.set(arn, rec);
    for (const wf of seed.workflows ?? []) this.addWorkflowExecution(arn, wf);
    return arn;
  }

  /** Add a workflow execution to an image build version; returns its `wf-…` id. */
  addWorkflowExecution(imageBuildVersionArn: string, seed: WorkflowExecutionSeed): string {
    const image = this.images.get(imageBuildVersionArn);
    if (!image) throw new Error(`no image ${imageBuildVersionArn}`);
    const id = seed.id ?? `wf-${fakeUuid(`${imageBuildVersionArn}|${seed.type}|${this.counter++}`)}`;
    const type = seed.type.toLowerCase();
    const rec: WorkflowRecord = {
      seed,
      id,
      imageBuildVersionArn,
      workflowBuildVersionArn:
        seed.workflowBuildVersionArn ??
        `arn:aws:imagebuilder:${image.region}:aws:workflow/${type}/${type}-image/1.0.0/1`,
      steps: seed.steps.map((s, i) => ({ seed: s, id: s.id ?? `step-${fakeUuid(`${id}|${i}|${s.name}`)}` })),
    };
    image.workflows.push(rec);
    this.workflows.set(id, rec);
    return id;
  }

  /** Ids of all lifecycle executions, in insertion order. */
  lifecycleExecutionIds(): string[] {
    return [...this.lifecycle.keys()];
  }

  /** ARNs of all image build versions, in insertion order. */
  imageArns(): string[] {
    return [...this.images.keys()];
  }

  // ----- lifecycle ---------------------------------------------------------------------------

  hasLifecycleExecution(id: string): boolean {
    return this.lifecycle.has(id);
  }

  /** The `LifecycleExecution` structure at the current clock. */
  wireLifecycleExecution(id: string): WireObject | undefined {
    const rec = this.lifecycle.get(id);
    if (!rec) return undefined;
    const now = this.now();
    const s = rec.seed;
    const state = this.lifecycleState(rec, now);
    const out: WireObject = {
      lifecycleExecutionId: rec.id,
      lifecyclePolicyArn: s.policyArn,
      resourcesImpactedSummary: { hasImpactedResources: s.resources.length > 0 },
      state: state.reason ? { status: state.status, reason: state.reason } : { status: state.status },
    };
    if (now >= s.startAt) out.startTime = epoch(s.startAt);
    if (state.endAt !== undefined) out.endTime = epoch(state.endAt);
    return out;
  }

  /** Executions listed for `resourceArn` (the policy ARN or one of the seed's `resourceArns`), newest first. */
  wireLifecycleExecutionsFor(resourceArn: string): WireObject[] {
    const now = this.now();
    const recs = [...this.lifecycle.values()].filter(
      (r) =>
        (r.seed.policyArn === resourceArn || (r.seed.resourceArns ?? []).includes(resourceArn)) &&
        (r.seed.listedFrom === undefined || r.seed.listedFrom <= now),
    );
    recs.sort((a, b) => b.seed.startAt - a.seed.startAt || b.order - a.order);
    return recs.map((r) => this.wireLifecycleExecution(r.id) as WireObject);
  }

  /**
   * `LifecyclePolicySummary` items (ListLifecyclePolicies), in insertion order: the policies added,
   * then those only named by an execution's `policyArn` (a policy must exist for it to run; its
   * name is the ARN's last part). `dateLastRun` is the latest execution start reached by the clock.
   */
  wireLifecyclePolicies(filters?: Array<{ name: string; values: string[] }>): WireObject[] {
    const now = this.now();
    const all = new Map(this.policies);
    for (const rec of this.lifecycle.values()) {
      const arn = rec.seed.policyArn;
      if (!all.has(arn)) all.set(arn, { arn, name: arn.split('/').pop() ?? arn });
    }
    const out: WireObject[] = [];
    for (const p of all.values()) {
      const item: WireObject = {
        arn: p.arn,
        name: p.name,
        status: p.status ?? 'ENABLED',
        resourceType: p.resourceType ?? 'AMI_IMAGE',
        tags: { ...(p.tags ?? {}) },
      };
      if (p.description) item.description = p.description;
      if (p.executionRole) item.executionRole = p.executionRole;
      if (p.createdAt !== undefined) {
        item.dateCreated = epoch(p.createdAt);
        item.dateUpdated = epoch(p.createdAt);
      }
      let lastRun: number | undefined;
      for (const rec of this.lifecycle.values())
        if (rec.seed.policyArn === p.arn && rec.seed.startAt <= now)
          lastRun = Math.max(lastRun ?? rec.seed.startAt, rec.seed.startAt);
      if (lastRun !== undefined) item.dateLastRun = epoch(lastRun);
      // The documented filter names are `Name` and `Status`.
      const matches = (filters ?? []).every((f) => {
        const v = f.name.toLowerCase() === 'name' ? item.name : item.status;
        return typeof v === 'string' && f.values.includes(v);
      });
      if (matches) out.push(item);
    }
    return out;
  }

  /** The `lifecycleExecutionState` of a ListLifecycleExecutionResources answer. */
  wireLifecycleState(id: string): WireObject | undefined {
    return this.wireLifecycleExecution(id)?.state as WireObject | undefined;
  }

  /**
   * `LifecycleExecutionResource` items at the current clock, for one parent (undefined = top level).
   * With `range`, only that window is rendered (`total` is the full count): pages of a large
   * execution cost what the page holds, not the whole execution.
   */
  wireLifecycleResources(
    id: string,
    parentResourceId: string | undefined,
    range?: { offset: number; limit: number },
  ): { items: WireObject[]; total: number } {
    const rec = this.lifecycle.get(id);
    if (!rec) return { items: [], total: 0 };
    const now = this.now();
    if (now < rec.seed.startAt) return { items: [], total: 0 };
    // Indexed once: a page of a 100,000-resource execution must not cost a scan of all of them.
    if (rec.byParent?.count !== rec.seed.resources.length) {
      const map = new Map<string, LifecycleResourceSeed[]>();
      for (const r of rec.seed.resources) {
        const k = r.parentResourceId ?? '';
        const list = map.get(k);
        if (list) list.push(r);
        else map.set(k, [r]);
      }
      rec.byParent = { count: rec.seed.resources.length, map };
    }
    const matching = rec.byParent.map.get(parentResourceId ?? '') ?? [];
    const window = range ? matching.slice(range.offset, range.offset + range.limit) : matching;
    return { items: window.map((r) => this.wireResource(r, now)), total: matching.length };
  }

  private currentStep(r: LifecycleResourceSeed, now: number) {
    let step = r.steps[0];
    for (const s of r.steps) if (s.startAt <= now) step = s;
    if (!step) throw new Error(`lifecycle resource ${r.resourceId} has no steps`);
    const done = now >= step.endAt;
    return { step, done, status: done ? (step.status ?? 'SUCCESS') : 'IN_PROGRESS' };
  }

  private wireResource(r: LifecycleResourceSeed, now: number): WireObject {
    const { step, done, status } = this.currentStep(r, now);
    const state: WireObject = { status };
    if (done && step.reason) state.reason = step.reason;
    const action: WireObject = { name: step.action };
    if (step.actionReason) action.reason = step.actionReason;
    const out: WireObject = {
      accountId: r.accountId ?? this.accountId,
      resourceId: r.resourceId,
      state,
      action,
      region: r.region ?? this.region,
    };
    if (r.snapshots) out.snapshots = r.snapshots.map((snapshotId) => ({ snapshotId, state: { ...state } }));
    if (r.imageUris) out.imageUris = [...r.imageUris];
    if (now >= step.startAt) out.startTime = epoch(step.startAt);
    if (done) out.endTime = epoch(step.endAt);
    return out;
  }

  /** The execution state, computed once per clock instant (it scans every resource). */
  private lifecycleState(rec: LifecycleRecord, now: number): { status: string; reason?: string; endAt?: number } {
    if (rec.stateAt?.now !== now) rec.stateAt = { now, state: this.computeLifecycleState(rec, now) };
    return rec.stateAt.state;
  }

  private computeLifecycleState(
    rec: LifecycleRecord,
    now: number,
  ): { status: string; reason?: string; endAt?: number } {
    const s = rec.seed;
    if (now < s.startAt) return { status: 'PENDING' };
    if (s.cancelAt !== undefined && now >= s.cancelAt) {
      const grace = s.cancelGraceMs ?? 0;
      if (now < s.cancelAt + grace) return { status: 'CANCELLING', reason: 'Cancellation requested' };
      return { status: 'CANCELLED', reason: 'The lifecycle execution was cancelled', endAt: s.cancelAt + grace };
    }
    let end = s.startAt;
    let failed = 0;
    for (const r of s.resources) {
      const last = r.steps[r.steps.length - 1];
      if (!last) continue;
      const cur = this.currentStep(r, now);
      if (!cur.done) return { status: 'IN_PROGRESS' };
      if (cur.status === 'FAILED') failed++;
      else if (cur.step !== last) return { status: 'IN_PROGRESS' };
      end = Math.max(end, cur.step.endAt);
    }
    if (s.finalStatus)
      return { status: s.finalStatus, ...(s.finalReason ? { reason: s.finalReason } : {}), endAt: end };
    if (failed > 0)
      return { status: 'FAILED', reason: `${failed} resource(s) failed the lifecycle action`, endAt: end };
    return { status: 'SUCCESS', endAt: end };
  }

  // ----- images ------------------------------------------------------------------------------

  hasImage(arn: string): boolean {
    return this.images.has(arn);
  }

  private imageStatus(rec: ImageRecord, now: number): ImageStatusSeed {
    const timeline = rec.seed.statuses ?? [{ at: rec.seed.createdAt, status: 'AVAILABLE' }];
    let cur: ImageStatusSeed = { at: rec.seed.createdAt, status: 'PENDING' };
    for (const s of timeline) if (s.at <= now) cur = s;
    return cur;
  }

  private visible(rec: ImageRecord, now: number): boolean {
    return now >= rec.seed.createdAt;
  }

  private outputs(rec: ImageRecord, now: number, status: string): WireObject | undefined {
    const s = rec.seed;
    const at = s.outputsAt;
    const show = at !== undefined ? now >= at : status === 'AVAILABLE' || TERMINAL_IMAGE_STATUSES.has(status);
    if (!show || (!s.amis && !s.containers)) return undefined;
    const out: WireObject = {};
    if (s.amis)
      out.amis = s.amis.map((a) => {
        const ami: WireObject = { region: a.region, image: a.image };
        if (a.name) ami.name = a.name;
        if (a.description) ami.description = a.description;
        ami.state = a.state ?? { status: 'AVAILABLE' };
        ami.accountId = a.accountId ?? rec.accountId;
        return ami;
      });
    if (s.containers) out.containers = s.containers.map((c) => ({ region: c.region, imageUris: [...c.imageUris] }));
    return out;
  }

  private imageCommon(rec: ImageRecord): WireObject {
    const s = rec.seed;
    return {
      arn: rec.arn,
      name: s.name,
      type: s.type ?? 'AMI',
      version: `${s.version}/${rec.build}`,
      platform: s.platform ?? 'Linux',
      osVersion: s.osVersion ?? 'Amazon Linux 2023',
    };
  }

  /** The `Image` structure (GetImage) for a build version ARN, at the current clock. */
  wireImage(arn: string): WireObject | undefined {
    const rec = this.images.get(arn);
    const now = this.now();
    if (!rec || !this.visible(rec, now)) return undefined;
    const s = rec.seed;
    const st = this.imageStatus(rec, now);
    const out: WireObject = {
      ...this.imageCommon(rec),
      state: st.reason ? { status: st.status, reason: st.reason } : { status: st.status },
      dateCreated: iso(s.createdAt),
      enhancedImageMetadataEnabled: true,
      buildType: s.buildType ?? 'USER_INITIATED',
      imageSource: s.imageSource ?? 'CUSTOM',
      tags: { ...(s.tags ?? {}) },
      loggingConfiguration: { logGroupName: `/aws/imagebuilder/${s.name}` },
    };
    const outputs = this.outputs(rec, now, st.status);
    if (outputs) out.outputResources = outputs;
    if (s.deprecationTime !== undefined) out.deprecationTime = epoch(s.deprecationTime);
    if (s.lifecycleExecutionId) out.lifecycleExecutionId = s.lifecycleExecutionId;
    if (rec.workflows.length > 0)
      out.workflows = rec.workflows.map((w) => ({ workflowArn: w.workflowBuildVersionArn, onFailure: 'ABORT' }));
    if (s.extra) Object.assign(out, s.extra);
    return out;
  }

  /** The `ImageSummary` structure (ListImageBuildVersions). */
  wireImageSummary(arn: string): WireObject | undefined {
    const rec = this.images.get(arn);
    const now = this.now();
    if (!rec || !this.visible(rec, now)) return undefined;
    const s = rec.seed;
    const st = this.imageStatus(rec, now);
    const out: WireObject = {
      ...this.imageCommon(rec),
      state: st.reason ? { status: st.status, reason: st.reason } : { status: st.status },
      owner: s.owner ?? rec.accountId,
      dateCreated: iso(s.createdAt),
      tags: { ...(s.tags ?? {}) },
      buildType: s.buildType ?? 'USER_INITIATED',
      imageSource: s.imageSource ?? 'CUSTOM',
    };
    const outputs = this.outputs(rec, now, st.status);
    if (outputs) out.outputResources = outputs;
    if (s.deprecationTime !== undefined) out.deprecationTime = epoch(s.deprecationTime);
    if (s.lifecycleExecutionId) out.lifecycleExecutionId = s.lifecycleExecutionId;
    return out;
  }

  /** Build-version ARNs matching a version ARN (`…/x.y.z`, `x` wildcards allowed) or a build ARN. */
  resolveImageArns(arn: string): string[] {
    if (this.images.has(arn)) return [arn];
    const m = /^(arn:aws[^:]*:imagebuilder:[^:]+:[^:]+:image\/[a-z0-9-_]+)\/([0-9x]+)\.([0-9x]+)\.([0-9x]+)$/.exec(arn);
    if (!m) return [];
    const [, prefix, ...want] = m as unknown as [string, string, string, string, string];
    const out: string[] = [];
    for (const rec of this.images.values()) {
      if (!rec.versionArn.startsWith(`${prefix}/`)) continue;
      const parts = rec.seed.version.split('.');
      if (want.every((w, i) => w === 'x' || w === parts[i])) out.push(rec.arn);
    }
    // Highest version/build first, as GetImage resolves wildcards to the latest.
    return out.sort((a, b) => compareBuildArns(b, a));
  }

  /** ImageVersion items (ListImages): one per name+version, newest first. */
  wireImageVersions(opts: {
    owner?: string | undefined;
    filters?: Array<{ name: string; values: string[] }> | undefined;
    includeDeprecated?: boolean | undefined;
  }): WireObject[] {
    const now = this.now();
    const byVersion = new Map<string, ImageRecord[]>();
    for (const rec of this.images.values()) {
      if (!this.visible(rec, now)) continue;
      if (!ownerMatches(opts.owner ?? 'Self', rec.seed.owner ?? rec.accountId, this.accountId)) continue;
      const list = byVersion.get(rec.versionArn) ?? [];
      list.push(rec);
      byVersion.set(rec.versionArn, list);
    }
    const out: WireObject[] = [];
    for (const [versionArn, recs] of byVersion) {
      const first = recs[0] as ImageRecord;
      const s = first.seed;
      const allDeprecated = recs.every((r) => this.imageStatus(r, now).status === 'DEPRECATED');
      if (allDeprecated && !opts.includeDeprecated) continue;
      const item: WireObject = {
        arn: versionArn,
        name: s.name,
        type: s.type ?? 'AMI',
        version: s.version,
        platform: s.platform ?? 'Linux',
        osVersion: s.osVersion ?? 'Amazon Linux 2023',
        owner: s.owner ?? first.accountId,
        dateCreated: iso(Math.min(...recs.map((r) => r.seed.createdAt))),
        buildType: s.buildType ?? 'USER_INITIATED',
        imageSource: s.imageSource ?? 'CUSTOM',
      };
      if (!filtersMatch(opts.filters, item)) continue;
      out.push(item);
    }
    return out.sort((a, b) => String(b.dateCreated).localeCompare(String(a.dateCreated)));
  }

  /** ImageSummary items (ListImageBuildVersions) for a version ARN (all builds when absent). */
  wireImageBuildVersions(opts: {
    imageVersionArn?: string | undefined;
    filters?: Array<{ name: string; values: string[] }> | undefined;
  }): WireObject[] {
    const arns = opts.imageVersionArn
      ? [...this.images.values()].filter((r) => r.versionArn === opts.imageVersionArn).map((r) => r.arn)
      : [...this.images.keys()];
    const out: WireObject[] = [];
    for (const arn of arns) {
      const item = this.wireImageSummary(arn);
      if (!item) continue;
      const rec = this.images.get(arn) as ImageRecord;
      if (!filtersMatch(opts.filters, { ...item, version: rec.seed.version })) continue;
      out.push(item);
    }
    return out.sort((a, b) => compareBuildArns(String(b.arn), String(a.arn)));
  }

  /** LatestVersionReferences for GetImage. */
  wireLatestVersionReferences(arn: string): WireObject | undefined {
    const rec = this.images.get(arn);
    if (!rec) return undefined;
    const all = this.resolveImageArns(`${rec.versionArn.replace(/\/[^/]+$/, '')}/x.x.x`);
    const latest = all[0];
    return latest
      ? {
          latestVersionArn: latest,
          latestMajorVersionArn: latest,
          latestMinorVersionArn: latest,
          latestPatchVersionArn: latest,
        }
      : undefined;
  }

  // ----- workflows ---------------------------------------------------------------------------

  hasWorkflowExecution(id: string): boolean {
    return this.workflows.has(id);
  }

  /** WorkflowExecutionMetadata items of an image build version, in start order. */
  wireWorkflowExecutions(imageBuildVersionArn: string): WireObject[] | undefined {
    const rec = this.images.get(imageBuildVersionArn);
    if (!rec) return undefined;
    const now = this.now();
    return (now >= rec.seed.createdAt ? rec.workflows : []).map((w) => this.wireWorkflow(w, now));
  }

  /** Ids of the workflow executions of an image build version (seed order). */
  wireWorkflowExecutionsIds(imageBuildVersionArn: string): string[] {
    return (this.images.get(imageBuildVersionArn)?.workflows ?? []).map((w) => w.id);
  }

  /** GetWorkflowExecution fields. */
  wireWorkflowExecution(id: string): WireObject | undefined {
    const w = this.workflows.get(id);
    if (!w) return undefined;
    return {
      ...this.wireWorkflow(w, this.now()),
      imageBuildVersionArn: w.imageBuildVersionArn,
    };
  }

  /** ListWorkflowStepExecutions envelope fields plus the steps. */
  wireWorkflowSteps(
    id: string,
  ): { steps: WireObject[]; workflowBuildVersionArn: string; imageBuildVersionArn: string } | undefined {
    const w = this.workflows.get(id);
    if (!w) return undefined;
    const now = this.now();
    return {
      steps: w.steps.map((s) => this.wireStep(s, now)),
      workflowBuildVersionArn: w.workflowBuildVersionArn,
      imageBuildVersionArn: w.imageBuildVersionArn,
    };
  }

  private stepState(s: WorkflowStepSeed, now: number): { status: string; rollback?: string } {
    const status = now < s.startAt ? 'PENDING' : now < s.endAt ? 'RUNNING' : (s.status ?? 'COMPLETED');
    if (!s.rollback || now < s.rollback.startAt) return { status };
    return { status, rollback: now < s.rollback.endAt ? 'RUNNING' : (s.rollback.status ?? 'COMPLETED') };
  }

  private wireStep(rec: StepRecord, now: number): WireObject {
    const s = rec.seed;
    const st = this.stepState(s, now);
    const out: WireObject = { stepExecutionId: rec.id, name: s.name, action: s.action, status: st.status };
    if (s.description) out.description = s.description;
    if (st.rollback) out.rollbackStatus = st.rollback;
    if (s.message && now >= s.endAt) out.message = s.message;
    const inputs = jsonText(s.inputs);
    if (inputs !== undefined && now >= s.startAt) out.inputs = inputs;
    const outputs = jsonText(s.outputs);
    if (outputs !== undefined && now >= s.endAt) out.outputs = outputs;
    if (now >= s.startAt) out.startTime = iso(s.startAt);
    if (now >= s.endAt) out.endTime = iso(s.endAt);
    return out;
  }

  private wireWorkflow(w: WorkflowRecord, now: number): WireObject {
    const s = w.seed;
    let succeeded = 0;
    let failed = 0;
    let skipped = 0;
    let running = false;
    let rollbackRunning = false;
    let anyRollback = false;
    let rollbackFailed = false;
    let end = s.startAt;
    for (const step of w.steps) {
      const st = this.stepState(step.seed, now);
      if (st.status === 'COMPLETED') succeeded++;
      else if (st.status === 'FAILED') failed++;
      else if (st.status === 'SKIPPED') skipped++;
      else if (st.status === 'RUNNING') running = true;
      if (now >= step.seed.endAt) end = Math.max(end, step.seed.endAt);
      const rb = step.seed.rollback;
      if (rb) {
        anyRollback = true;
        if (now < rb.endAt) rollbackRunning = true;
        else {
          end = Math.max(end, rb.endAt);
          if ((rb.status ?? 'COMPLETED') === 'FAILED') rollbackFailed = true;
        }
      }
    }
    let status: string;
    let terminal = false;
    if (s.skipped) {
      status = 'SKIPPED';
      terminal = true;
    } else if (now < s.startAt) status = 'PENDING';
    else if (failed > 0 && !running) {
      if (!anyRollback) status = 'FAILED';
      else if (rollbackRunning) status = 'ROLLBACK_IN_PROGRESS';
      else status = rollbackFailed ? 'FAILED' : 'ROLLBACK_COMPLETED';
      terminal = status !== 'ROLLBACK_IN_PROGRESS';
    } else if (succeeded + skipped === w.steps.length) {
      status = 'COMPLETED';
      terminal = true;
    } else status = 'RUNNING';
    const out: WireObject = {
      workflowBuildVersionArn: w.workflowBuildVersionArn,
      workflowExecutionId: w.id,
      type: s.type,
      status,
      totalStepCount: w.steps.length,
      totalStepsSucceeded: succeeded,
      totalStepsFailed: failed,
      totalStepsSkipped: skipped,
    };
    if (terminal)
      out.message =
        s.message ??
        (status === 'COMPLETED' ? 'Workflow completed successfully.' : `Workflow ${status.toLowerCase()}.`);
    if (now >= s.startAt && !s.skipped) out.startTime = iso(s.startAt);
    if (terminal && !s.skipped) out.endTime = iso(end);
    if (s.parallelGroup) out.parallelGroup = s.parallelGroup;
    if (s.retried !== undefined) out.retried = s.retried;
    return out;
  }
}

function ownerMatches(owner: string, imageOwner: string, self: string): boolean {
  switch (owner) {
    case 'Self':
      return imageOwner === self;
    case 'Amazon':
      return imageOwner === 'Amazon';
    case 'AWSMarketplace':
      return imageOwner === 'AWSMarketplace';
    case 'ThirdParty':
      return imageOwner === 'ThirdParty';
    case 'Shared':
      return imageOwner !== self && /^[0-9]{12}$/.test(imageOwner);
    default:
      return false;
  }
}

function filtersMatch(filters: Array<{ name: string; values: string[] }> | undefined, item: WireObject): boolean {
  for (const f of filters ?? []) {
    const v = item[f.name];
    if (typeof v !== 'string' || !f.values.includes(v)) return false;
  }
  return true;
}

function compareBuildArns(a: string, b: string): number {
  const pa = /\/(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(a);
  const pb = /\/(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 1; i <= 4; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}
