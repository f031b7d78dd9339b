import type { ExecutionState, ImageState, Phase, ProviderId } from '@stackfeed/core';
import type { Store, StoredExecution, StoredImage, StoredStack } from '@stackfeed/store';
import { consoleUrlOf } from './consoles.js';
import { boardKey, type ItemKind, type KnownTarget, type TargetError } from './targets.js';

/** One item of `GET /api/inventory` (and of the stream's `inventory` events), before JSON. */
export interface InventoryItem {
  key: string;
  kind: ItemKind;
  provider: ProviderId;
  place: string;
  id: string;
  name: string;
  status: string;
  phase: Phase;
  lastEventAt: Date | null;
  eventCount: number;
  consoleUrl: string | null;
  error: TargetError | null;
}

/** The filters of `GET /api/inventory`; each one narrows (they intersect), a list is any of its values. */
export interface InventoryFilter {
  provider?: readonly string[] | undefined;
  place?: readonly string[] | undefined;
  /** A case-insensitive substring of the name (or id). */
  name?: string | undefined;
  phase?: readonly string[] | undefined;
  kind?: readonly string[] | undefined;
  /** On lastEventAt: at or after. */
  since?: Date | undefined;
  /** On lastEventAt: before. */
  until?: Date | undefined;
}

const IMAGE_PHASE: Record<ImageState, Phase> = {
  PENDING: 'IN_PROGRESS',
  BUILDING: 'IN_PROGRESS',
  DELETING: 'IN_PROGRESS',
  AVAILABLE: 'COMPLETE',
  DEPRECATED: 'COMPLETE',
  DISABLED: 'COMPLETE',
  DELETED: 'COMPLETE',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  UNKNOWN: 'UNKNOWN',
};

const EXECUTION_PHASE: Record<ExecutionState, Phase> = {
  PENDING: 'IN_PROGRESS',
  RUNNING: 'IN_PROGRESS',
  SUCCEEDED: 'COMPLETE',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  SKIPPED: 'SKIPPED',
  UNKNOWN: 'UNKNOWN',
};

const PHASE_RANK: Partial<Record<Phase, number>> = { FAILED: 0, IN_PROGRESS: 1 };

/**
 * Every followed stack, image and execution the store knows, with what the followers know about
 * them (place, console link, error state). A nested stack is folded into its top-level stack (its
 * events count there); a stack whose events belong to a stored image or execution (an image
 * build's stack, a lifecycle execution's resources) is that image or execution. A target that is
 * followed but has no record yet (it failed from the start) is an item of its own.
 */
export async function readInventory(store: Store, targets: readonly KnownTarget[]): Promise<InventoryItem[]> {
  const [stacks, images, executions] = await Promise.all([store.stacks(), store.images(), store.executions()]);
  const index = new ItemIndex();
  for (const img of images) {
    const item = base(img.provider, 'image', img.id, img.name ?? img.id, img.status, imagePhase(img));
    item.lastEventAt = latest(img);
    index.add(item, [img.id, img.name, img.stack?.id, img.stack?.name]);
  }
  for (const ex of executions) {
    const item = base(ex.provider, 'execution', ex.id, ex.id, ex.status, EXECUTION_PHASE[ex.state] ?? 'UNKNOWN');
    item.lastEventAt = latest(ex);
    index.add(item, [ex.id]);
  }
  const { roots, nested } = addTopLevelStacks(index, stacks);
  foldNestedStacks(index, roots, nested);
  attachTargets(index, targets);
  for (const item of index.items) item.consoleUrl ??= consoleUrlOf(item);
  assignKeys(index.items);
  return index.items.sort(inventoryOrder);
}

/** The items of an inventory being read, each found by any of its refs (id, name, stack) within its provider. */
class ItemIndex {
  readonly items: InventoryItem[] = [];
  private readonly byRef = new Map<string, InventoryItem>();

  add(item: InventoryItem, refs: Array<string | undefined>): void {
    this.items.push(item);
    for (const r of refs) if (r) this.byRef.set(refKey(item.provider, r), item);
  }

  find(provider: string, ref: string | undefined): InventoryItem | undefined {
    return ref ? this.byRef.get(refKey(provider, ref)) : undefined;
  }
}

const refKey = (provider: string, ref: string) => `${provider}\u0000${ref}`;

/**
 * The top-level stacks: each one an item, unless its events belong to an image or execution
 * already indexed (counted there). Returns the item each stack key counts on, and the nested stacks.
 */
function addTopLevelStacks(
  index: ItemIndex,
  stacks: readonly StoredStack[],
): { roots: Map<string, InventoryItem>; nested: StoredStack[] } {
  const roots = new Map<string, InventoryItem>();
  const nested: StoredStack[] = [];
  for (const st of stacks) {
    if (st.rootKey !== undefined) {
      nested.push(st);
      continue;
    }
    const owner = recordOwning(index, st);
    if (owner) {
      // The events of an image build or an execution: counted on it.
      countOn(owner, st);
      roots.set(refKey(st.provider, st.key), owner);
      continue;
    }
    const item = stackItem(st);
    index.add(item, [st.key, st.id, st.name]);
    roots.set(refKey(st.provider, st.key), item);
  }
  return { roots, nested };
}

/**
 * The image or execution whose events a top-level stack holds, found by the stack's key or name.
 * Never another stack: two stacks may share a name (two regions or projects, or a deleted and
 * re-created stack) and are still two stacks.
 */
function recordOwning(index: ItemIndex, st: StoredStack): InventoryItem | undefined {
  for (const ref of [st.key, st.name]) {
    const found = index.find(st.provider, ref);
    if (found && found.kind !== 'stack') return found;
  }
  return undefined;
}

/** A nested stack's events count on its top-level item; without one stored (yet), it shows on its own. */
function foldNestedStacks(index: ItemIndex, roots: ReadonlyMap<string, InventoryItem>, nested: readonly StoredStack[]) {
  for (const st of nested) {
    const rootKey = st.rootKey as string;
    const root = roots.get(refKey(st.provider, rootKey)) ?? index.find(st.provider, rootKey);
    if (root) countOn(root, st);
    else index.add(stackItem(st), [st.key, st.id, st.name]);
  }
}

function countOn(item: InventoryItem, st: StoredStack): void {
  item.eventCount += st.eventCount;
  item.lastEventAt = maxDate(item.lastEventAt, st.lastEventAt);
}

/** What the followers know (place, console link, error) onto each target's item; one item each, made if missing. */
function attachTargets(index: ItemIndex, targets: readonly KnownTarget[]): void {
  const claimed = new Set<string>();
  for (const t of targets) {
    const found = index.find(t.provider, t.id) ?? index.find(t.provider, t.name);
    let item = found && !claimed.has(itemRef(found)) ? found : undefined;
    if (!item) {
      item = base(t.provider, t.kind, t.id ?? t.name ?? '', t.name ?? t.id ?? '', 'UNKNOWN', 'UNKNOWN');
      index.add(item, []);
    }
    claimed.add(itemRef(item));
    item.place = t.place;
    item.consoleUrl = t.consoleUrl ?? null;
    item.error = t.error ? { ...t.error } : null;
  }
}

/** Keys: provider/place/name, unique (a name reused by a newer stack keeps the plain key). */
function assignKeys(items: readonly InventoryItem[]): void {
  const seen = new Set<string>();
  for (const item of [...items].sort(byNewest)) {
    let key = `${item.provider}/${item.place}/${item.name || item.id}`;
    if (seen.has(key)) key = `${key}#${item.id}`;
    seen.add(key);
    item.key = key;
  }
}

/** Items matching every filter given. */
export function filterInventory(items: readonly InventoryItem[], f: InventoryFilter): InventoryItem[] {
  const any = (list: readonly string[] | undefined, v: string) => !list || list.length === 0 || list.includes(v);
  const needle = f.name?.toLowerCase();
  return items.filter(
    (i) =>
      any(f.provider, i.provider) &&
      any(f.place, i.place) &&
      any(f.phase, i.phase) &&
      any(f.kind, i.kind) &&
      (!needle || i.name.toLowerCase().includes(needle) || i.id.toLowerCase().includes(needle)) &&
      (!f.since || (i.lastEventAt !== null && i.lastEventAt >= f.since)) &&
      (!f.until || (i.lastEventAt !== null && i.lastEventAt < f.until)),
  );
}

/** `counts` of the inventory answer. */
export function countInventory(items: readonly InventoryItem[]): { total: number; byPhase: Record<string, number> } {
  const byPhase: Record<string, number> = {};
  for (const i of items) byPhase[i.phase] = (byPhase[i.phase] ?? 0) + 1;
  return { total: items.length, byPhase };
}

/** FAILED first, then IN_PROGRESS, then the rest; within each, the newest lastEventAt first. */
export function inventoryOrder(a: InventoryItem, b: InventoryItem): number {
  const ra = PHASE_RANK[a.phase] ?? 2;
  const rb = PHASE_RANK[b.phase] ?? 2;
  if (ra !== rb) return ra - rb;
  return byNewest(a, b);
}

function byNewest(a: InventoryItem, b: InventoryItem): number {
  const ta = a.lastEventAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const tb = b.lastEventAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (ta !== tb) return tb - ta;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function base(provider: ProviderId, kind: ItemKind, id: string, name: string, status: string, phase: Phase) {
  const item: InventoryItem = {
    key: '',
    kind,
    provider,
    place: '',
    id,
    name,
    status,
    phase,
    lastEventAt: null,
    eventCount: 0,
    consoleUrl: null,
    error: null,
  };
  return item;
}

function stackItem(st: StoredStack): InventoryItem {
  let { status, phase } = st;
  // No stack-level event told the stack's state (RFS logs only): a failure it had tells it.
  if ((phase === 'INFO' || phase === 'UNKNOWN') && st.lastFailure) {
    status = st.lastFailure.status;
    phase = 'FAILED';
  }
  const item = base(st.provider, 'stack', st.id ?? st.key, st.name ?? st.id ?? st.key, status, phase);
  item.lastEventAt = st.lastEventAt;
  item.eventCount = st.eventCount;
  return item;
}

const itemRef = (i: InventoryItem) => boardKey({ provider: i.provider, kind: i.kind, id: i.id });

function imagePhase(img: StoredImage): Phase {
  return IMAGE_PHASE[img.state] ?? 'UNKNOWN';
}

/** When an image or execution last changed: its latest recorded state change, else when it was last seen. */
function latest(r: StoredImage | StoredExecution): Date {
  return r.history.at(-1)?.observedAt ?? r.lastSeen;
}

function maxDate(a: Date | null, b: Date): Date {
  return a === null || b > a ? b : a;
}
