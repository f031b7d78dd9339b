/** Lifecycle executions: their state, their resources as events, and the watch that follows one. */
import type {
  EventFilterOptions,
  ExecutionInfo,
  ListOptions,
  Paginator,
  StackEvent,
  WatchOptions,
  WatchStream,
} from '@stackfeed/core';
import { applyEventFilters, drainPages, watchEvents } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, MAX_POLL_PAGES, PAGE_SIZE, PROVIDER, requireArg, tokenList } from './api.js';
import {
  type LifecycleEventContext,
  lifecycleExecutionInfo,
  lifecycleResourceEvent,
  lifecycleResourceTime,
} from './mapping/records.js';
import { LIFECYCLE_OUTCOMES, LIFECYCLE_TERMINAL } from './mapping/tables.js';
import { type EventListOptions, orderedEventList, type PendingEvent, readListing } from './ordered.js';
import { lifecycleOperationMark, lifecycleSummary } from './watch-summary.js';

/** Options of the lifecycle event list and watch. */
export interface LifecycleEventOptions extends EventFilterOptions {
  /** List the resources associated with this parent (an image ARN) instead of the top-level ones. */
  parentResourceId?: string;
}

/** GetLifecycleExecution → ExecutionInfo (kind `lifecycle`). */
export async function getLifecycleExecution(
  api: ImageBuilderApi,
  id: string,
  signal: AbortSignal | undefined,
): Promise<ExecutionInfo> {
  const op = 'getLifecycleExecution';
  requireArg(id, 'lifecycleExecutionId', op);
  const { wire, raw } = await api.send('GetLifecycleExecution', { lifecycleExecutionId: id }, op, signal);
  return lifecycleExecutionInfo(wire.lifecycleExecution, raw.lifecycleExecution);
}

/** ListLifecycleExecutions for a resource (lifecycle policy or image ARN) → ExecutionInfo pages. */
export function listLifecycleExecutions(
  api: ImageBuilderApi,
  resourceArn: string,
  options: ListOptions,
): Paginator<ExecutionInfo> {
  const op = 'listLifecycleExecutions';
  requireArg(resourceArn, 'resourceArn', op);
  return tokenList<ExecutionInfo>(api, {
    operation: op,
    scope: { resourceArn },
    options,
    fetchPage: async (cursor, pageSize, signal) => {
      const input = { resourceArn, maxResults: pageSize, nextToken: cursor };
      const { wire, raw } = await api.send('ListLifecycleExecutions', input, op, signal);
      const rawItems = raw.lifecycleExecutions ?? [];
      return {
        items: (wire.lifecycleExecutions ?? []).map((e, i) => lifecycleExecutionInfo(e, rawItems[i])),
        next: wire.nextToken || undefined,
        raw,
      };
    },
  });
}

interface LifecyclePageRequest {
  id: string;
  parentResourceId: string | undefined;
  cursor: string | undefined;
  pageSize: number | undefined;
  signal: AbortSignal | undefined;
  operation: string;
}

/** One page of lifecycle resources as the service sent it, with the context that maps them. */
async function sendLifecyclePage(api: ImageBuilderApi, req: LifecyclePageRequest) {
  const input = {
    lifecycleExecutionId: req.id,
    parentResourceId: req.parentResourceId,
    maxResults: req.pageSize,
    nextToken: req.cursor,
  };
  const { wire, raw } = await api.send('ListLifecycleExecutionResources', input, req.operation, req.signal);
  const ctx: LifecycleEventContext = {
    executionId: req.id,
    parentResourceId: req.parentResourceId,
    executionState: wire.lifecycleExecutionState,
  };
  return {
    resources: wire.resources ?? [],
    rawItems: (raw.resources ?? []) as unknown[],
    ctx,
    state: wire.lifecycleExecutionState,
    next: wire.nextToken || undefined,
    raw,
  };
}
type LifecyclePage = Awaited<ReturnType<typeof sendLifecyclePage>>;

/** One page of lifecycle resources as events, plus the execution state the page reported. */
async function lifecyclePage(api: ImageBuilderApi, req: LifecyclePageRequest) {
  const p = await sendLifecyclePage(api, req);
  // A resource that has not started (no time) is no event yet.
  const events: StackEvent[] = [];
  for (let i = 0; i < p.resources.length; i++) {
    const ev = lifecycleResourceEvent(p.resources[i] as LifecyclePage['resources'][number], p.ctx, p.rawItems[i]);
    if (ev) events.push(ev);
  }
  return { events, state: p.state, next: p.next, raw: p.raw };
}

/** A lifecycle resource kept for the ordered listing: mapped to its StackEvent when handed out. */
interface PendingResource extends PendingEvent {
  readonly resource: LifecyclePage['resources'][number];
  readonly raw: unknown;
  /** Shared by the resources of one page. */
  readonly ctx: LifecycleEventContext;
}

const pendingToEvent = (p: PendingResource): StackEvent =>
  lifecycleResourceEvent(p.resource, p.ctx, p.raw) as StackEvent;

/**
 * Every resource of one lifecycle execution (of one parent, or the top level) that is an event
 * (it has a time), in the service's order, not yet mapped: see {@link PendingEvent}.
 */
export function readLifecycleResources(
  api: ImageBuilderApi,
  id: string,
  parentResourceId: string | undefined,
  operation: string,
  signal: AbortSignal | undefined,
  onRaw: (raw: unknown) => void,
): Promise<PendingResource[]> {
  return readListing(
    async (cursor) => {
      const req = { id, parentResourceId, cursor, pageSize: PAGE_SIZE.max, signal, operation };
      const p = await sendLifecyclePage(api, req);
      onRaw(p.raw);
      const items: PendingResource[] = [];
      for (let i = 0; i < p.resources.length; i++) {
        const resource = p.resources[i] as LifecyclePage['resources'][number];
        const ms = lifecycleResourceTime(resource);
        // A resource that has not started (no time) is no event yet.
        if (ms !== undefined) items.push({ ms, resource, raw: p.rawItems[i], ctx: p.ctx });
      }
      return { items, next: p.next };
    },
    operation,
    signal,
  );
}

/** Every resource event of one lifecycle execution (of one parent, or the top level), in the service's order. */
export async function readLifecycleEvents(
  api: ImageBuilderApi,
  id: string,
  parentResourceId: string | undefined,
  operation: string,
  signal: AbortSignal | undefined,
  onRaw: (raw: unknown) => void,
): Promise<StackEvent[]> {
  return (await readLifecycleResources(api, id, parentResourceId, operation, signal, onRaw)).map(pendingToEvent);
}

/**
 * ListLifecycleExecutionResources → one StackEvent per resource action (AMI, snapshot, container
 * image; DELETE / DEPRECATE / DISABLE / AVAILABLE), with snapshots and image URIs in `details`,
 * oldest first (or `order: 'newest-first'`): the listing is read to its end, then ordered.
 */
export function listLifecycleExecutionEvents(
  api: ImageBuilderApi,
  id: string,
  options: EventListOptions & LifecycleEventOptions,
): Paginator<StackEvent> {
  const operation = 'listLifecycleExecutionEvents';
  requireArg(id, 'lifecycleExecutionId', operation);
  const parentResourceId = options.parentResourceId;
  return orderedEventList(api, {
    operation,
    scope: { id, parent: parentResourceId ?? null },
    options,
    readAll: (signal, onRaw) => readLifecycleResources(api, id, parentResourceId, operation, signal, onRaw),
    toEvent: pendingToEvent,
  });
}

/**
 * Tail a lifecycle execution: yields each resource transition once, oldest first, and ends after
 * the execution is SUCCESS, FAILED or CANCELLED (`result.final` is its ExecutionInfo;
 * `result.deployment` / `rootCause` the execution as `listDeployments` tells it).
 */
export function watchLifecycleExecution(
  api: ImageBuilderApi,
  id: string,
  options: WatchOptions & LifecycleEventOptions,
): WatchStream<StackEvent, ExecutionInfo> {
  const operation = 'watchLifecycleExecution';
  requireArg(id, 'lifecycleExecutionId', operation);
  const filter = applyEventFilters(options, ['since']);
  const parentResourceId = options.parentResourceId;
  let lastStatus: string | undefined;
  let final: ExecutionInfo | undefined;
  return watchEvents<StackEvent, ExecutionInfo>(
    {
      provider: PROVIDER,
      operation,
      poll: async ({ signal }) => {
        let status: string | undefined;
        const drained = await drainPages<StackEvent, string>(
          async (cursor) => {
            const req = { id, parentResourceId, cursor, pageSize: PAGE_SIZE.max, signal, operation };
            const p = await lifecyclePage(api, req);
            status = p.state?.status ?? status;
            return { items: p.events, next: p.next };
          },
          { maxPages: MAX_POLL_PAGES, signal },
        );
        lastStatus = status;
        const events = filter ? drained.items.filter(filter) : drained.items;
        return { events, capped: drained.stoppedBy === 'max-pages' };
      },
      checkTerminal: async ({ signal }) => {
        let status = lastStatus;
        let info: ExecutionInfo | undefined;
        if (status === undefined || LIFECYCLE_TERMINAL.has(status)) {
          info = await getLifecycleExecution(api, id, signal);
          status = info.status;
        }
        if (!LIFECYCLE_TERMINAL.has(status)) return { terminal: false };
        final = info;
        return {
          terminal: true,
          outcome: LIFECYCLE_OUTCOMES.map(status),
          status,
          ...(info?.reason ? { reason: info.reason } : {}),
          ...(info ? { final: info } : {}),
        };
      },
      operationMark: lifecycleOperationMark,
      summarize: (events) => lifecycleSummary(final, events),
    },
    options,
  );
}
