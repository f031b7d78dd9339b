import { type StackEvent, StackfeedError, type StackInfo } from '@stackfeed/core';
import {
  type OperationMark,
  type PollContext,
  type PollResult,
  type TerminalCheck,
  type WatchSource,
  type WatchSummary,
  FreshEvents,
  StatusChecks,
  drainPages,
} from '@stackfeed/core/adapter';
import { rfsDeployments } from './deployments/deployments.js';
import { isStackLevel } from './deployments/segments.js';
import type { EventIdAssigner } from './mapping/events.js';
import { STACK_STATUS_TABLE, isTerminalStatus } from './mapping/tables.js';

/** Pages read at most by one watch poll; a poll that stops here is reported as capped. */
export const MAX_PAGES_PER_POLL = 10_000;

/** One page of ListStackEvents as the watch reads it (newest first). */
export interface EventsPage {
  items: StackEvent[];
  next: string | undefined;
}

/** What the watch needs from the client: one events page, the stack, the local filter. */
export interface RfsWatchDeps {
  provider: 'huawei-rfs';
  fetchPage(
    marker: string | undefined,
    pageSize: number | undefined,
    signal: AbortSignal,
    assigner: EventIdAssigner,
  ): Promise<EventsPage>;
  newAssigner(): EventIdAssigner;
  getStack(signal: AbortSignal): Promise<StackInfo>;
  local: ((ev: StackEvent) => boolean) | undefined;
  pageSize: number | undefined;
}

const maxDefined = (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

/**
 * The RFS side of a watch: each poll reads the listing newest first down to the newest event
 * already read (through core's `drainPages`, the one paging loop), and hands it over reversed,
 * so the engine checks it as `oldest-first`. When the engine sees a poll out of that order it asks
 * for full re-reads (`fullReread`): no time cut then, the engine dedupes by id.
 */
export class RfsStackWatch implements WatchSource<StackEvent, StackInfo> {
  readonly operation = 'watchStackEvents';
  /** The order `poll` returns events in: RFS's newest-first listing, reversed. */
  readonly listingOrder = 'oldest-first' as const;
  private seenStack = false;
  private eventsGone: StackfeedError | undefined;
  private lastInfo: StackInfo | undefined;
  /** What completed polls read, whether or not a local filter kept it: the cut, and what is new. */
  private readonly read = new FreshEvents<StackEvent>();
  /** When `checkTerminal` asks for the stack (core's one policy); the hint: an end mark (SUMMARY, a failure). */
  private readonly checks = new StatusChecks<StackEvent>({ hint: (ev) => rfsOperationMark(ev) === 'end' });
  /** The newest ERROR line seen: the reason of a failed run when the stack has no status_message. */
  private lastError: { ms: number; message: string } | undefined;

  constructor(private readonly deps: RfsWatchDeps) {}

  /**
   * For `operation: 'current'`: a run opens with its stack-level LOG lines (a LOG while one is
   * open continues it) and ends with its SUMMARY line or a failure (`*_FAILED`, `ERROR`). RFS has
   * no stack-level status events; these are the lines `listDeployments` splits on too.
   */
  operationMark(ev: StackEvent): OperationMark | undefined {
    return rfsOperationMark(ev);
  }

  /** The watched deployment (the newest in the yielded events) and its root cause, as `listDeployments` tells them. */
  summarize(events: readonly StackEvent[]): WatchSummary {
    const stack: StackInfo = this.lastInfo ?? {
      provider: 'huawei-rfs',
      name: events[0]?.stack.name ?? '',
      state: 'UNKNOWN',
      action: 'UNKNOWN',
      phase: 'UNKNOWN',
      status: '',
      raw: undefined,
    };
    const deployment = rfsDeployments(events, stack).at(-1);
    return deployment ? { deployment, rootCause: deployment.rootCause } : {};
  }

  get provider(): 'huawei-rfs' {
    return this.deps.provider;
  }

  async poll(ctx: PollContext): Promise<PollResult<StackEvent>> {
    const assigner = this.deps.newAssigner();
    // Stop paging below the newest event already read (yielded or filtered out locally), so a
    // filter that drops everything does not make every poll re-read the whole history.
    const since = ctx.fullReread ? undefined : maxDefined(ctx.since?.getTime(), this.read.newest);
    const drained = await drainPages<StackEvent, string>((marker) => this.pageOrGone(marker, ctx.signal, assigner), {
      maxPages: MAX_PAGES_PER_POLL,
      signal: ctx.signal,
      // Newest first: once a page reaches below the cut, the rest is older still.
      stopWhen: since === undefined ? undefined : (items) => items.some((ev) => ev.timestamp.getTime() < since),
    });
    const out: StackEvent[] = [];
    const fresh = this.read.take(drained.items);
    const capped = drained.stoppedBy === 'max-pages';
    for (const ev of drained.items) {
      const ms = ev.timestamp.getTime();
      if (ev.status === 'ERROR' && ev.message && (!this.lastError || ms > this.lastError.ms)) {
        this.lastError = { ms, message: ev.message };
      }
      if (!this.deps.local || this.deps.local(ev)) out.push(ev);
    }
    this.checks.polled({ events: fresh, capped, gone: this.eventsGone !== undefined });
    // The engine's sort is stable: oldest first keeps same-second events in the order they happened.
    return { events: out.reverse(), capped };
  }

  /** A page; after the stack was seen, a 404 ends the poll (the stack or the deployment is gone). */
  private async pageOrGone(
    marker: string | undefined,
    signal: AbortSignal,
    assigner: EventIdAssigner,
  ): Promise<EventsPage> {
    try {
      const page = await this.deps.fetchPage(marker, this.deps.pageSize, signal, assigner);
      this.seenStack = true;
      this.eventsGone = undefined;
      return page;
    } catch (err) {
      if (!this.seenStack || !StackfeedError.is(err, 'NOT_FOUND')) throw err;
      this.eventsGone = err;
      return { items: [], next: undefined };
    }
  }

  async checkTerminal(ctx: { signal: AbortSignal }): Promise<TerminalCheck<StackInfo>> {
    // Until the stack was found once, then only after an end mark, quiet polls, or a 404 listing.
    if (!this.checks.shouldAsk()) return { terminal: false };
    let info: StackInfo;
    try {
      info = await this.deps.getStack(ctx.signal);
    } catch (err) {
      if (this.seenStack && StackfeedError.is(err, 'NOT_FOUND')) {
        const final = this.lastInfo ? { final: { ...this.lastInfo, state: 'DELETED' as const } } : {};
        return { terminal: true, outcome: 'deleted', status: 'DELETED', ...final };
      }
      throw err;
    }
    this.seenStack = true;
    // The stack exists but its events answered 404: the deployment id is unknown.
    if (this.eventsGone) throw this.eventsGone;
    this.lastInfo = info;
    this.checks.answered();
    if (!isTerminalStatus(info.status)) return { terminal: false };
    const known = STACK_STATUS_TABLE.has(info.status) ? STACK_STATUS_TABLE.map(info.status).outcome : undefined;
    const outcome = known ?? (info.status.endsWith('_FAILED') ? 'failed' : 'succeeded');
    // RFS sets status_message only on *_FAILED; a rolled-back run explains itself in its ERROR events.
    const reason = info.reason ?? (outcome === 'failed' ? this.lastError?.message : undefined);
    return { terminal: true, outcome, status: info.status, ...(reason ? { reason } : {}), final: info };
  }
}

/** See {@link RfsStackWatch.operationMark}. */
export function rfsOperationMark(ev: StackEvent): OperationMark | undefined {
  if (ev.phase === 'FAILED') return 'end';
  if (!isStackLevel(ev)) return undefined;
  if (ev.status === 'LOG') return 'start';
  return ev.status === 'SUMMARY' ? 'end' : undefined;
}
