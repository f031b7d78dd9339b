import type { RfsScenario, ScenarioEvent, ScenarioStep } from './scenarios.js';

/**
 * The RFS emulator's state: stacks played from scenarios, their events (oldest first) and
 * deployments. No HTTP here; the handler reads and advances it.
 */

/** One stored event: the wire record plus what RFS knows but does not return. */
export interface StoredEvent {
  seq: number;
  /** When it was applied (ms on the emulator's clock; `wire.time` is that, in whole seconds). */
  at: number;
  deploymentId: string | undefined;
  wire: Record<string, unknown> & { event_type: string; time: string };
}

/** A stack's state (ground truth for tests). */
export interface StackState {
  name: string;
  id: string;
  description?: string;
  status: string;
  statusMessage?: string;
  createTime: string;
  updateTime: string;
  /** Oldest first. */
  events: StoredEvent[];
  deployments: Set<string>;
  deleted: boolean;
  /** Before this instant the stack does not exist yet. */
  existsFrom?: number;
}

/**
 * How scenarios progress: `clock` applies each step when the clock reaches it; `manual` only on
 * `advance()`; `on-metadata` one step per GetStackMetadata call of that stack.
 */
export type RfsProgress = 'clock' | 'manual' | 'on-metadata';

interface LiveScenario {
  /** Steps not applied yet, with the absolute time (ms) each is due. */
  queue: Array<{ due: number; step: ScenarioStep }>;
  state: StackState;
}

/** RFS writes whole-second UTC times without a fraction. */
const iso = (ms: number) => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;

/**
 * The order ListStackEvents serves: `newest-first` as RFS documents it, or `shuffled`, a stable
 * order that is not time order (the same on every request; events added later land anywhere), to
 * test that a client loses nothing when the order is not what the document promises.
 */
export type RfsListingOrder = 'newest-first' | 'shuffled';

export class RfsStore {
  private readonly live = new Map<string, LiveScenario>();
  private seq = 0;
  /** How ListStackEvents orders events; may be switched at any time. */
  listingOrder: RfsListingOrder = 'newest-first';

  constructor(
    private readonly clock: () => number,
    readonly progress: RfsProgress,
  ) {}

  /** Add a scenario (its history is applied now). Throws when a live stack has that name. */
  addScenario(s: RfsScenario): StackState {
    const existing = this.live.get(s.stackName);
    if (existing && !existing.state.deleted) throw new Error(`stack ${s.stackName} already exists`);
    const start = s.startAt ?? this.clock();
    const firstAt = Math.min(0, ...s.history.map((h) => h.at));
    const state: StackState = {
      name: s.stackName,
      id: s.stackId,
      ...(s.description ? { description: s.description } : {}),
      status: s.initialStatus,
      createTime: iso(start + firstAt),
      updateTime: iso(start + firstAt),
      events: [],
      deployments: new Set(),
      deleted: false,
      ...(s.existsFrom !== undefined ? { existsFrom: s.existsFrom } : {}),
    };
    const l: LiveScenario = { queue: s.steps.map((step) => ({ due: start + step.at, step })), state };
    this.live.set(s.stackName, l);
    for (const h of s.history) this.apply(l, h, start + h.at);
    return state;
  }

  /** Queue more steps on a live stack, `at` relative to `startAt` (default: now). Throws when there is none. */
  play(stackName: string, steps: ScenarioStep[], startAt = this.clock()): void {
    const l = this.live.get(stackName);
    if (!l || l.state.deleted) throw new Error(`stack ${stackName} does not exist`);
    for (const step of steps) l.queue.push({ due: startAt + step.at, step });
    l.queue.sort((a, b) => a.due - b.due);
  }

  /** Apply the next `n` pending steps of one stack (or of every stack); returns how many were applied. */
  advance(stackName?: string, n = 1): number {
    let done = 0;
    const targets = stackName
      ? [this.live.get(stackName)].filter((x): x is LiveScenario => !!x)
      : [...this.live.values()];
    for (const l of targets) for (let i = 0; i < n && this.advanceOne(l); i++) done++;
    return done;
  }

  /** With `clock` progress, apply every step that is due. */
  catchUp(): void {
    if (this.progress !== 'clock') return;
    const now = this.clock();
    for (const l of this.live.values()) {
      while (l.queue.length > 0 && (l.queue[0] as { due: number }).due <= now) this.advanceOne(l);
    }
  }

  /** With `on-metadata` progress, a GetStackMetadata call of a live stack applies its next step. */
  noteMetadataRead(stackName: string): void {
    if (this.progress !== 'on-metadata') return;
    const l = this.live.get(stackName);
    if (l && !l.state.deleted) this.advanceOne(l);
  }

  /** A stack's current state, also after deletion. */
  stack(name: string): StackState | undefined {
    return this.live.get(name)?.state;
  }

  /** The stacks that exist now, in the order they were added. */
  liveStacks(): StackState[] {
    return [...this.live.values()].filter((l) => this.exists(l.state)).map((l) => l.state);
  }

  /** Not deleted, and created by now. */
  exists(st: StackState): boolean {
    return !st.deleted && (st.existsFrom === undefined || st.existsFrom <= this.clock());
  }

  /** Steps still pending for a stack. */
  pending(stackName: string): number {
    return this.live.get(stackName)?.queue.length ?? 0;
  }

  private advanceOne(l: LiveScenario): boolean {
    const next = l.queue.shift();
    if (!next) return false;
    this.apply(l, next.step, next.due);
    return true;
  }

  private apply(l: LiveScenario, step: ScenarioStep, due: number): void {
    const st = l.state;
    const t = iso(due);
    if (step.deploymentId) st.deployments.add(step.deploymentId);
    for (const e of step.events ?? []) st.events.push(this.toStored(e, t, due, step.deploymentId));
    if (step.status !== undefined) {
      st.status = step.status;
      if (!/FAILED$/.test(step.status)) delete st.statusMessage;
    }
    if (step.statusMessage === null) delete st.statusMessage;
    else if (step.statusMessage !== undefined) st.statusMessage = step.statusMessage;
    if (step.status !== undefined || step.events?.length) st.updateTime = t;
    if (step.delete) st.deleted = true;
  }

  private toStored(e: ScenarioEvent, time: string, at: number, deploymentId: string | undefined): StoredEvent {
    return { seq: ++this.seq, at, deploymentId, wire: { ...e, time } };
  }
}
