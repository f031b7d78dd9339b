/** Workflow executions of an image build, their steps as events, and the watch that follows a build. */
import type {
  EventFilterOptions,
  ExecutionInfo,
  ImageInfo,
  ListOptions,
  Paginator,
  StackEvent,
  WatchOptions,
  WatchStream,
} from '@stackfeed/core';
import { applyEventFilters, drainPages, watchEvents } from '@stackfeed/core/adapter';
import {
  type ImageBuilderApi,
  MAX_POLL_PAGES,
  PAGE_SIZE,
  PROVIDER,
  requireArg,
  tokenList,
  type WireWorkflow,
} from './api.js';
import { getImage } from './images.js';
import { workflowEvent, workflowExecutionInfo, workflowStepEvent, workflowTypeOfArn } from './mapping/records.js';
import { IMAGE_TERMINAL } from './mapping/tables.js';
import { builtEvent, builtEvents, type EventListOptions, orderedEventList, readListing } from './ordered.js';
import { buildOperationMark, buildSummary } from './watch-summary.js';

const WORKFLOW_TERMINAL = new Set(['COMPLETED', 'FAILED', 'ROLLBACK_COMPLETED', 'CANCELLED', 'SKIPPED']);

export type { WireWorkflow } from './api.js';

/** GetWorkflowExecution → ExecutionInfo (kind `workflow`). */
export async function getWorkflowExecution(
  api: ImageBuilderApi,
  id: string,
  signal: AbortSignal | undefined,
): Promise<ExecutionInfo> {
  const op = 'getWorkflowExecution';
  requireArg(id, 'workflowExecutionId', op);
  const { wire, raw } = await api.send('GetWorkflowExecution', { workflowExecutionId: id }, op, signal);
  return workflowExecutionInfo(wire, raw);
}

/** One page of ListWorkflowExecutions of an image build version. */
export async function workflowPage(
  api: ImageBuilderApi,
  arn: string,
  cursor: string | undefined,
  pageSize: number | undefined,
  signal: AbortSignal | undefined,
  operation: string,
) {
  const input = { imageBuildVersionArn: arn, maxResults: pageSize, nextToken: cursor };
  const { wire, raw } = await api.send('ListWorkflowExecutions', input, operation, signal);
  return {
    workflows: wire.workflowExecutions ?? [],
    rawItems: raw.workflowExecutions ?? [],
    next: wire.nextToken || undefined,
    raw,
  };
}

/** Every workflow execution of an image build version, in the service's order. */
export function readWorkflows(
  api: ImageBuilderApi,
  arn: string,
  operation: string,
  signal: AbortSignal | undefined,
): Promise<WireWorkflow[]> {
  return readListing(
    async (cursor) => {
      const p = await workflowPage(api, arn, cursor, PAGE_SIZE.max, signal, operation);
      return { items: p.workflows, next: p.next };
    },
    operation,
    signal,
  );
}

/** ListWorkflowExecutions of an image build version → ExecutionInfo (kind `workflow`). */
export function listWorkflowExecutions(
  api: ImageBuilderApi,
  imageBuildVersionArn: string,
  options: ListOptions,
): Paginator<ExecutionInfo> {
  const op = 'listWorkflowExecutions';
  requireArg(imageBuildVersionArn, 'imageBuildVersionArn', op);
  return tokenList<ExecutionInfo>(api, {
    operation: op,
    scope: { imageBuildVersionArn },
    options,
    fetchPage: async (cursor, pageSize, signal) => {
      const p = await workflowPage(api, imageBuildVersionArn, cursor, pageSize, signal, op);
      return {
        items: p.workflows.map((w, i) => workflowExecutionInfo(w, p.rawItems[i], imageBuildVersionArn)),
        next: p.next,
        raw: p.raw,
      };
    },
  });
}

interface StepPageRequest {
  workflowExecutionId: string;
  cursor: string | undefined;
  pageSize: number | undefined;
  signal: AbortSignal | undefined;
  operation: string;
  workflowType?: string | undefined;
}

async function stepPage(api: ImageBuilderApi, req: StepPageRequest) {
  const input = { workflowExecutionId: req.workflowExecutionId, maxResults: req.pageSize, nextToken: req.cursor };
  const { wire, raw } = await api.send('ListWorkflowStepExecutions', input, req.operation, req.signal);
  const steps = wire.steps ?? [];
  const rawItems = raw.steps ?? [];
  const ctx = {
    workflowExecutionId: req.workflowExecutionId,
    workflowType: req.workflowType ?? workflowTypeOfArn(wire.workflowBuildVersionArn),
    workflowBuildVersionArn: wire.workflowBuildVersionArn,
    imageBuildVersionArn: wire.imageBuildVersionArn,
  };
  // A step that has not started (no time) is no event yet.
  const events: StackEvent[] = [];
  for (let i = 0; i < steps.length; i++) {
    const ev = workflowStepEvent(steps[i] as (typeof steps)[number], ctx, rawItems[i]);
    if (ev) events.push(ev);
  }
  return { events, next: wire.nextToken || undefined, raw };
}

/** Every step event of one workflow execution, in the service's order. */
export function readSteps(
  api: ImageBuilderApi,
  workflowExecutionId: string,
  workflowType: string | undefined,
  operation: string,
  signal: AbortSignal | undefined,
  onRaw: (raw: unknown) => void,
): Promise<StackEvent[]> {
  return readListing(
    async (cursor) => {
      const req = { workflowExecutionId, cursor, pageSize: PAGE_SIZE.max, signal, operation, workflowType };
      const p = await stepPage(api, req);
      onRaw(p.raw);
      return { items: p.events, next: p.next };
    },
    operation,
    signal,
  );
}

/**
 * ListWorkflowStepExecutions → one StackEvent per step: status, rollback status (action
 * ROLLBACK while/after the step is rolled back), message, inputs/outputs parsed when JSON. Oldest
 * first (or `order: 'newest-first'`): the listing is read to its end, then ordered.
 */
export function listWorkflowStepEvents(
  api: ImageBuilderApi,
  workflowExecutionId: string,
  options: EventListOptions,
): Paginator<StackEvent> {
  const operation = 'listWorkflowStepEvents';
  requireArg(workflowExecutionId, 'workflowExecutionId', operation);
  return orderedEventList(api, {
    operation,
    scope: { workflowExecutionId },
    options,
    readAll: async (signal, onRaw) =>
      builtEvents(await readSteps(api, workflowExecutionId, undefined, operation, signal, onRaw)),
    toEvent: builtEvent,
  });
}

/**
 * The step events of every workflow of an image build version, in time order across workflows
 * (oldest first, or `order: 'newest-first'`). Workflows that report zero steps, or no id, are not asked.
 */
export function listImageBuildStepEvents(
  api: ImageBuilderApi,
  arn: string,
  options: EventListOptions,
): Paginator<StackEvent> {
  const operation = 'listImageBuildEvents';
  return orderedEventList(api, {
    operation,
    scope: { arn },
    options,
    readAll: async (signal, onRaw) => {
      const workflows = await readWorkflows(api, arn, operation, signal);
      const events: StackEvent[] = [];
      for (const w of workflows) {
        if (!w.workflowExecutionId || w.totalStepCount === 0) continue;
        events.push(...(await readSteps(api, w.workflowExecutionId, w.type, operation, signal, onRaw)));
      }
      return builtEvents(events);
    },
    toEvent: builtEvent,
  });
}

/** What one watch of an image build remembers between polls. */
interface BuildWatchState {
  arn: string;
  operation: string;
  filter: ((e: StackEvent) => boolean) | undefined;
  /** Terminal workflows whose steps were read in their terminal state: not read again. */
  finished: Map<string, string>;
  /** Each workflow as the last poll read it, by id (for the deployment summary). */
  workflows: Map<string, WireWorkflow>;
  /** Set when a drain of this poll hit the page cap. */
  capped: boolean;
}

/** The events of one workflow in one poll: its own status event, then its steps unless already final. */
async function pollWorkflow(
  api: ImageBuilderApi,
  st: BuildWatchState,
  w: WireWorkflow,
  raw: unknown,
  signal: AbortSignal,
): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  // A workflow that has not started (no time) is no event yet.
  const wfEvent = workflowEvent(w, st.arn, raw);
  if (wfEvent && (!st.filter || st.filter(wfEvent))) events.push(wfEvent);
  const workflowExecutionId = w.workflowExecutionId;
  // A workflow without its id cannot be asked for its steps.
  if (!workflowExecutionId) return events;
  st.workflows.set(workflowExecutionId, w);
  const key = JSON.stringify([w.status, w.totalStepsSucceeded, w.totalStepsFailed, w.endTime]);
  if (st.finished.get(workflowExecutionId) === key) return events;
  const steps = await drainPages<StackEvent, string>(
    async (cursor) => {
      const req = {
        workflowExecutionId,
        cursor,
        pageSize: PAGE_SIZE.max,
        signal,
        operation: st.operation,
        workflowType: w.type,
      };
      const p = await stepPage(api, req);
      return { items: p.events, next: p.next };
    },
    { maxPages: MAX_POLL_PAGES, signal },
  );
  if (steps.stoppedBy === 'max-pages') st.capped = true;
  for (const ev of steps.items) if (!st.filter || st.filter(ev)) events.push(ev);
  if (w.status && WORKFLOW_TERMINAL.has(w.status)) st.finished.set(workflowExecutionId, key);
  return events;
}

/**
 * Follow an image build through its workflows and steps: yields workflow status changes and step
 * transitions once each, oldest first, until the image is AVAILABLE, FAILED, CANCELLED (or later
 * states). `result.final` is the final ImageInfo; `result.deployment` / `rootCause` the workflow
 * execution that started last, as `listDeployments` tells it. With `operation: 'current'` the
 * watch starts at the running workflow (each workflow execution is one operation).
 */
export function watchImageBuild(
  api: ImageBuilderApi,
  arn: string,
  options: WatchOptions & EventFilterOptions,
): WatchStream<StackEvent, ImageInfo> {
  const operation = 'watchImageBuild';
  requireArg(arn, 'imageBuildVersionArn', operation);
  const st: BuildWatchState = {
    arn,
    operation,
    filter: applyEventFilters(options, ['since']),
    finished: new Map(),
    workflows: new Map(),
    capped: false,
  };
  return watchEvents<StackEvent, ImageInfo>(
    {
      provider: PROVIDER,
      operation,
      poll: async ({ signal }) => {
        st.capped = false;
        const drained = await drainPages<StackEvent[], string>(
          async (cursor) => {
            const p = await workflowPage(api, arn, cursor, PAGE_SIZE.max, signal, operation);
            const items: StackEvent[][] = [];
            for (let i = 0; i < p.workflows.length; i++)
              items.push(await pollWorkflow(api, st, p.workflows[i] as WireWorkflow, p.rawItems[i], signal));
            return { items, next: p.next };
          },
          { maxPages: MAX_POLL_PAGES, signal },
        );
        return { events: drained.items.flat(), capped: st.capped || drained.stoppedBy === 'max-pages' };
      },
      checkTerminal: async ({ signal }) => {
        const image = await getImage(api, arn, signal);
        const outcome = IMAGE_TERMINAL.map(image.status);
        if (!outcome) return { terminal: false };
        return {
          terminal: true,
          outcome,
          status: image.status,
          ...(image.reason ? { reason: image.reason } : {}),
          final: image,
        };
      },
      operationMark: buildOperationMark,
      summarize: (events) => buildSummary(arn, st.workflows, events),
    },
    options,
  );
}
