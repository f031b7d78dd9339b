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
  const items: InventoryItem[] = [];
  const claimed = new Set<string>();
  const byRef = new Map<string, InventoryItem>();
  const index = (provider: string, item: InventoryItem, refs: Array<string | undefined>) => {
    for (const r of refs) if (r) byRef.set(`${provider}\u0000${r}`, item);
  };

  for (const img of images) {
    const item = base(img.provider, 'image', img.id, img.name ?? img.id, img.status, imagePhase(img));
    item.lastEventAt = latest(img);
    items.push(item);
    index(img.provider, item, [img.id, img.name, img.stack?.id, img.stack?.name]);
  }
  for (const ex of executions) {
    const item = base(ex.provider, 'execution', ex.id, ex.id, ex.status, EXECUTION_PHASE[ex.state] ?? 'UNKNOWN');
    item.lastEventAt = latest(ex);
    items.push(item);
    index(ex.provider, item, [ex.id]);
  }
  const roots = new Map<string, InventoryItem>();
  const nested: StoredStack[] = [];
  for (const st of stacks) {
    if (st.rootKey !== undefined) {
      nested.push(st);
      continue;
    }
    const owner =
      byRef.get(`${st.provider}\u0000${st.key}`) ?? (st.name && byRef.get(`${st.provider}\u0000${st.name}`));
    if (owner) {
      // The events of an image build or an execution: counted on it.
      owner.eventCount += st.eventCount;
      owner.lastEventAt = maxDate(owner.lastEventAt, st.lastEventAt);
      roots.set(`${st.provider}\u0000${st.key}`, owner);
      continue;
    }
    const item = stackItem(st);
    items.push(item);
    roots.set(`${st.provider}\u0000${st.key}`, item);
    index(st.provider, item, [st.key, st.id, st.name]);
  }
  for (const st of nested) {
    const root =
      roots.get(`${st.provider}\u0000${st.rootKey}`) ?? byRef.get(`${st.provider}\u0000${st.rootKey}`) ?? undefined;
    if (root) {
      root.eventCount += st.eventCount;
      root.lastEventAt = maxDate(root.lastEventAt, st.lastEventAt);
      continue;
    }
    // Its top-level stack has no events stored (yet): the nested stack shows on its own.
    const item = stackItem(st);
    items.push(item);
    index(st.provider, item, [st.key, st.id, st.name]);
  }

  for (const t of targets) {
    const found = [t.id, t.name]
      .map((r) => (r ? byRef.get(`${t.provider}\u0000${r}`) : undefined))
      .find((i) => i !== undefined);
    let item = found && !claimed.has(itemRef(found)) ? found : undefined;
    if (!item) {
      item = base(t.provider, t.kind, t.id ?? t.name ?? '', t.name ?? t.id ?? '', 'UNKNOWN', 'UNKNOWN');
      items.push(item);
    }
    claimed.add(itemRef(item));
    item.place = t.place;
    item.consoleUrl = t.consoleUrl ?? null;
    item.error = t.error ? { ...t.error } : null;
  }
  for (const item of items) item.consoleUrl ??= consoleUrlOf(item);

  // Keys: provider/place/name, unique (a name reused by a newer stack keeps the plain key).
  const seen = new Set<string>();
  for (const item of [...items].sort(byNewest)) {
    let key = `${item.provider}/${item.place}/${item.name || item.id}`;
    if (seen.has(key)) key = `${key}#${item.id}`;
    seen.add(key);
    item.key = key;
  }
  return items.sort(inventoryOrder);
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
