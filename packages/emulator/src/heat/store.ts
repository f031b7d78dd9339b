import { randomUUID } from 'node:crypto';

/** One scripted event. */
export interface ScriptedEvent {
  /** Scenario time (ms from the scenario start) at which the event becomes visible. */
  atMs: number;
  /** Resource name; the stack's own name for stack-level events. */
  resource: string;
  /** `{ACTION}_{STATUS}`, e.g. `CREATE_IN_PROGRESS`. */
  status: string;
  reason?: string;
  physicalId?: string | null;
  /** Resource type (show event only); stack-level events get `OS::Heat::Stack`. */
  type?: string;
  properties?: Record<string, unknown>;
}

/** A stored event: the script entry, its uuid and Heat's auto-increment id. */
export type StoredEvent = ScriptedEvent & { id: string; seq: number };

/** A stack in the emulator. Its status follows its latest visible stack-level event. */
export interface EmulatedStack {
  id: string;
  name: string;
  /** Status before any stack-level event is visible. */
  initialStatus: string;
  /** Parent stack id, for nested stacks. */
  parent?: string | undefined;
  /** The resource of the parent stack that this nested stack implements. */
  parentResource?: string | undefined;
  /** Heat's simple string tags (`tags` on create), listed as given. */
  tags?: string[] | undefined;
  events: StoredEvent[];
  /** Scenario time the stack is created at: before it, no call finds it (default: it always existed). */
  createdAtMs?: number | undefined;
  /** Ids of events removed by pruning (their markers are then ignored, like Heat). */
  pruned: Set<string>;
  deleted: boolean;
}

export const STACK_TYPE = 'OS::Heat::Stack';
export const DEFAULT_RESOURCE_TYPE = 'OS::Heat::RandomString';

/** Heat's order: created_at (µs, i.e. scenario time here), then the auto-increment id. */
export function eventOrder(a: { atMs: number; seq: number }, b: { atMs: number; seq: number }): number {
  return a.atMs - b.atMs || a.seq - b.seq;
}

/** How `addStack` places a stack (see `HeatEmulator.addStack`). */
export interface AddStackOptions {
  id?: string;
  initialStatus?: string;
  parent?: string;
  parentResource?: string;
  /** Heat's simple string tags. */
  tags?: string[];
  /** Before this scenario instant no call finds the stack (it is created then). */
  createdAtMs?: number;
}

/** Stacks, their scripted events and the scenario clock; no HTTP here. */
export class HeatStore {
  readonly stacks = new Map<string, EmulatedStack>();
  private offset = 0;
  private seq = 0;

  constructor(
    private readonly opts: {
      autoAdvanceMs?: number | undefined;
      maxEventsPerStack?: number | undefined;
      /** A clock that runs by itself (scenario ms); `advance` adds to it. Default: only `advance` moves time. */
      clock?: (() => number) | undefined;
    },
  ) {}

  /** Current scenario time (ms). */
  get clock(): number {
    return this.offset + (this.opts.clock?.() ?? 0);
  }

  set clock(ms: number) {
    this.offset = ms - (this.opts.clock?.() ?? 0);
  }

  visible(s: EmulatedStack): StoredEvent[] {
    return s.events.filter((e) => e.atMs <= this.clock && !s.pruned.has(e.id));
  }

  statusOf(s: EmulatedStack): string {
    return this.lastOwnEvent(s)?.status ?? s.initialStatus;
  }

  lastOwnEvent(s: EmulatedStack): StoredEvent | undefined {
    return this.visible(s)
      .filter((e) => e.resource === s.name)
      .pop();
  }

  advance(ms: number): void {
    this.clock += ms;
    this.pruneAll();
  }

  /** Every events/stack request moves the clock by `autoAdvanceMs`. */
  tick(): void {
    if (this.opts.autoAdvanceMs) this.advance(this.opts.autoAdvanceMs);
  }

  /** Heat's `max_events_per_stack`: drop the oldest visible events beyond it. */
  private pruneAll(): void {
    const max = this.opts.maxEventsPerStack;
    if (!max) return;
    for (const s of this.stacks.values()) {
      const v = this.visible(s);
      for (const e of v.slice(0, Math.max(0, v.length - max))) s.pruned.add(e.id);
    }
  }

  prune(s: EmulatedStack, count: number): void {
    for (const e of this.visible(s).slice(0, count)) s.pruned.add(e.id);
  }

  addStack(name: string, script: ScriptedEvent[], o: AddStackOptions = {}): EmulatedStack {
    const s: EmulatedStack = {
      id: o.id ?? randomUUID(),
      name,
      initialStatus: o.initialStatus ?? 'INIT_COMPLETE',
      ...(o.parent ? { parent: o.parent } : {}),
      ...(o.parentResource ? { parentResource: o.parentResource } : {}),
      ...(o.tags?.length ? { tags: [...o.tags] } : {}),
      ...(o.createdAtMs !== undefined ? { createdAtMs: o.createdAtMs } : {}),
      events: [],
      pruned: new Set(),
      deleted: false,
    };
    this.stacks.set(s.id, s);
    this.addEvents(s, script);
    return s;
  }

  addEvents(s: EmulatedStack, script: ScriptedEvent[]): void {
    const sorted = [...script].sort((a, b) => a.atMs - b.atMs);
    for (const e of sorted) s.events.push({ ...e, id: randomUUID(), seq: ++this.seq });
    s.events.sort(eventOrder);
  }

  parentOf(s: EmulatedStack): EmulatedStack | undefined {
    return s.parent ? this.stacks.get(s.parent) : undefined;
  }

  depthOf(s: EmulatedStack): number {
    const p = this.parentOf(s);
    return p ? 1 + this.depthOf(p) : 0;
  }

  rootOf(s: EmulatedStack): EmulatedStack {
    const p = this.parentOf(s);
    return p ? this.rootOf(p) : s;
  }

  /** `s` and its nested stacks down to `maxDepth` levels below it. */
  withNested(s: EmulatedStack, maxDepth: number): EmulatedStack[] {
    const rootDepth = this.depthOf(s);
    return [...this.stacks.values()].filter((x) => {
      if (x === s) return true;
      if (maxDepth === 0) return false;
      let p = this.parentOf(x);
      while (p && p !== s) p = this.parentOf(p);
      return p === s && this.depthOf(x) - rootDepth <= maxDepth;
    });
  }

  /** The nested stack behind a resource of `s` (by `parentResource`, else Heat's `{parent}-{resource}-…` name). */
  nestedStackOf(s: EmulatedStack, resource: string): EmulatedStack | undefined {
    for (const x of this.stacks.values()) {
      if (x.parent !== s.id) continue;
      if (x.parentResource ? x.parentResource === resource : x.name.startsWith(`${s.name}-${resource}-`)) return x;
    }
    return undefined;
  }

  /** Not deleted, and created by now. */
  exists(s: EmulatedStack): boolean {
    return !s.deleted && (s.createdAtMs === undefined || s.createdAtMs <= this.clock);
  }

  /** A stack by name or id, as Heat's lookup finds it (deleted stacks are not found by name). */
  find(nameOrId: string): EmulatedStack | undefined {
    const byId = this.stacks.get(nameOrId);
    if (byId && this.exists(byId)) return byId;
    for (const s of this.stacks.values())
      if (s.name === nameOrId && this.exists(s) && this.statusOf(s) !== 'DELETE_COMPLETE') return s;
    return undefined;
  }

  /** A stack by its canonical name + id. */
  exact(name: string, id: string): EmulatedStack | undefined {
    const s = this.stacks.get(id);
    return s && s.name === name && (s.createdAtMs === undefined || s.createdAtMs <= this.clock) ? s : undefined;
  }
}
