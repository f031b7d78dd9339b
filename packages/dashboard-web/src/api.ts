// The page's view of the dashboard server's HTTP API (docs/dashboard.md): the JSON shapes it
// reads and one fetch helper. Types are written out here, not imported from the SDK: the page is
// browser code and only ever sees JSON.

export const PHASES = ['FAILED', 'IN_PROGRESS', 'COMPLETE', 'SKIPPED', 'CANCELLED', 'INFO', 'UNKNOWN'] as const;
export type Phase = (typeof PHASES)[number];

export const PROVIDERS = ['aws-parallelcluster', 'aws-imagebuilder', 'huawei-rfs', 'openstack-heat'] as const;

export interface ItemError {
  code: string;
  message: string;
  count: number;
  lastSeen: string;
}

export interface InventoryItem {
  key: string;
  kind: 'stack' | 'image' | 'execution';
  provider: string;
  place: string;
  id: string;
  name: string;
  status: string;
  phase: Phase;
  lastEventAt: string | null;
  eventCount: number;
  consoleUrl: string | null;
  error: ItemError | null;
}

export interface Inventory {
  items: InventoryItem[];
  counts: { total: number; byPhase: Partial<Record<Phase, number>> };
}

export interface StackRef {
  id?: string;
  name?: string;
}

export interface ResourceRef {
  logicalId?: string;
  name?: string;
  physicalId?: string;
  type?: string;
  key?: string;
}

export interface StoredEvent {
  seq: string;
  provider: string;
  id: string;
  timestamp: string;
  stack: StackRef;
  resource: ResourceRef;
  action: string;
  phase: Phase;
  status: string;
  message?: string;
  isStackEvent?: boolean;
  raw?: unknown;
}

export interface DeploymentResource {
  key: string;
  logicalId?: string;
  type?: string;
  stack: StackRef;
  startedAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  status: string;
  phase: Phase;
  reason?: string;
}

export interface Deployment {
  provider: string;
  stack: StackRef;
  id: string;
  action: string;
  startedAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  outcome: string;
  status: string;
  reason?: string;
  rootCause?: { resource: ResourceRef; stack: StackRef; reason?: string };
  resources: DeploymentResource[];
  counts: { events: number; resources: number; complete: number; failed: number; inProgress: number };
}

/** An error answer of the API (`{ error: { code, message } }`) or a failed request. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GET a JSON path of the API (same origin: the token cookie, if any, goes along). */
export async function getJson<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  const qs = params?.toString();
  let res: Response;
  try {
    res = await fetch(qs ? `${path}?${qs}` : path, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 'the dashboard server cannot be reached');
  }
  const body = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!res.ok) throw new ApiError(body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
  return body as T;
}

/** A stack's name for people: its name, else its id. */
export const stackName = (s: StackRef) => s.name ?? s.id ?? '?';

/** A resource's label: logical id (with its key), else name or physical id. */
export const resourceLabel = (r: ResourceRef) =>
  `${r.logicalId ?? r.name ?? r.physicalId ?? '?'}${r.key !== undefined ? `[${r.key}]` : ''}`;

/** The failed first, then the running, then the rest; newest first within each (the server's order). */
export function inventoryOrder(a: InventoryItem, b: InventoryItem): number {
  const rank = (p: Phase) => (p === 'FAILED' ? 0 : p === 'IN_PROGRESS' ? 1 : 2);
  return rank(a.phase) - rank(b.phase) || (b.lastEventAt ?? '').localeCompare(a.lastEventAt ?? '');
}
