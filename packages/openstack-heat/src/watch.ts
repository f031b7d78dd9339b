import type { StackEvent, StackInfo } from '@stackfeed/core';
import {
  deploymentSummary,
  type DrainResult,
  type OperationMark,
  type PollContext,
  type PollResult,
  type TerminalCheck,
  type WatchSource,
  drainPages,
  StatusChecks,
  stackOperationMark,
  type WatchSummary,
} from '@stackfeed/core/adapter';
import { StackfeedError } from '@stackfeed/core';
import type { FetchedEvents, HeatApi } from './api/heat-api.js';
import { filtersResources } from './api/event-paginator.js';
import { readNestedEvents, supportsNestedDepth } from './api/nested.js';
import { DeploymentIds } from './api/deployment-ids.js';
import type { HeatStackRef } from './api/refs.js';
import type { CanonicalStack } from './mapping/event.js';
import { watchOutcomeOf } from './mapping/status.js';

/** The last event a poll saw: the next poll's `marker`. */
interface Marker {
  id: string;
  t: number;
}

/** Safety cap: pages read in one poll while catching up (a capped poll goes on at the next). */
const MAX_PAGES_PER_POLL = 200;

/**
 * The Heat side of a watch; core's watch engine does the polling loop, dedupe, ordering, backoff
 * and the final drain. Each poll reads `sort_dir=asc` pages after the last event seen (Heat's
 * `marker`) until a short page. A marker Heat ignores (the event was pruned past
 * `max_events_per_stack`) makes Heat restart the list; the engine drops what was already
 * yielded, and the marker moves to the end again. Filters go to Heat's stack-events URL (never
 * the resource-events URL, which answers 404 when nothing matches). The stack's status is read
 * (`GET stack`) by core's `StatusChecks`: until it was found once, then after a new stack-level event
 * of the watched stack that is not IN_PROGRESS, and after two quiet polls: not on every poll.
 */
export function createWatchSource(args: WatchArgs): WatchSource<StackEvent, StackInfo> {
  return new HeatWatchSource(args);
}

interface WatchArgs {
  api: HeatApi;
  ref: HeatStackRef;
  query: Record<string, unknown>;
  pageSize: number;
  localFilter: ((ev: StackEvent) => boolean) | undefined;
  untilAction: string | undefined;
}

class HeatWatchSource implements WatchSource<StackEvent, StackInfo> {
  readonly provider = 'openstack-heat' as const;
  readonly operation = 'watchStackEvents';
  /** Every poll asks `sort_dir=asc`. */
  readonly listingOrder = 'oldest-first' as const;
  private readonly pageSize: number;
  private readonly depth: number;
  private stack: CanonicalStack | undefined;
  private marker: Marker | undefined;
  /** When `checkTerminal` asks for the stack (core's one policy); the hint: a finished own stack-level event. */
  private readonly checks = new StatusChecks<StackEvent>({
    hint: (ev) =>
      ev.isStackEvent === true &&
      this.stack !== undefined &&
      ev.stack.id === this.stack.id &&
      ev.phase !== 'IN_PROGRESS',
  });
  private gone = false;
  /** Heat ignored `nested_depth`: each poll merges the nested stacks' lists itself. */
  private merged = false;
  private nestingChecked = false;
  private seenMerged = 0;
  /** Sets `deploymentId` as events come (only when no resource filter hides stack-level events). */
  private deploymentIds: DeploymentIds | undefined;
  private readonly derivesDeployments: boolean;

  constructor(private readonly args: WatchArgs) {
    this.pageSize = Math.max(1, Math.floor(args.pageSize));
    this.depth = Number(args.query.nested_depth ?? 0);
    this.derivesDeployments = !filtersResources(args.query);
  }

  async poll(ctx: PollContext): Promise<PollResult<StackEvent>> {
    if (this.merged && this.stack) return this.pollMerged(this.stack, ctx.signal);
    // Heat lists `sort_dir=asc` oldest first; after the engine saw it break that order, every poll
    // reads the whole listing (the engine dedupes by id).
    const start = ctx.fullReread ? undefined : this.marker;
    // A read from the top sees every event again: the deployments are told apart afresh.
    if (start === undefined) this.deploymentIds = undefined;
    let drained: DrainResult<StackEvent, Marker>;
    try {
      drained = await drainPages<StackEvent, Marker>((cursor) => this.readPage(cursor, ctx.signal), {
        maxPages: MAX_PAGES_PER_POLL,
        start,
        cursorKey: (c) => c.id,
        signal: ctx.signal,
      });
    } catch (err) {
      // The stack was seen and now is not found at all (purged after DELETE_COMPLETE): over.
      if (this.stack && StackfeedError.is(err, 'NOT_FOUND')) {
        this.gone = true;
        return { events: [] };
      }
      throw err;
    }
    if (this.merged && this.stack) return this.pollMerged(this.stack, ctx.signal);
    const events = this.take(drained.items);
    const last = drained.items[drained.items.length - 1];
    if (last) this.marker = { id: last.id, t: last.timestamp.getTime() };
    const capped = drained.stoppedBy === 'max-pages';
    this.checks.polled({ events: drained.items, capped });
    return { events, capped };
  }

  /** The stack as the watch knows it: its id once resolved, else the name it was asked for. */
  private ownStack(): { id?: string; name?: string } {
    if (this.stack) return { id: this.stack.id, name: this.stack.name };
    const r = this.args.ref;
    const name = typeof r === 'string' ? r : (r.name ?? r.stackName);
    return name === undefined ? {} : { name };
  }

  /** `operation: 'current'`: the stack's own stack-level events open and end its operations (core's rule). */
  operationMark(ev: StackEvent): OperationMark | undefined {
    return stackOperationMark(this.ownStack())(ev);
  }

  /** `WatchResult.deployment` / `rootCause`: core's grouping of what the watch yielded, nested stacks included. */
  summarize(events: readonly StackEvent[]): WatchSummary {
    return deploymentSummary({ provider: this.provider, stack: this.ownStack() })(events);
  }

  async checkTerminal({ signal }: { signal: AbortSignal }): Promise<TerminalCheck<StackInfo>> {
    if (this.gone) return { terminal: true, outcome: 'deleted', status: 'DELETE_COMPLETE' };
    // Not capped (more pages wait), and the events say it may be over or have been quiet for long.
    if (!this.checks.shouldAsk()) return { terminal: false };
    let info: StackInfo;
    try {
      info = await this.args.api.getStack(this.stack ?? this.args.ref, signal);
    } catch (err) {
      // Gone (purged, or looked up by name after DELETE_COMPLETE): the watch is over.
      if (StackfeedError.is(err, 'NOT_FOUND') && this.stack) {
        return { terminal: true, outcome: 'deleted', status: 'DELETE_COMPLETE' };
      }
      throw err;
    }
    this.checks.answered();
    const outcome = watchOutcomeOf(info.state);
    const until = this.args.untilAction;
    if (!outcome || (until && info.action !== until.toUpperCase())) return { terminal: false };
    const check: TerminalCheck<StackInfo> = { terminal: true, outcome, status: info.status, final: info };
    if (info.reason !== undefined) check.reason = info.reason;
    return check;
  }

  /** One `sort_dir=asc` page after `cursor`; on the first page, whether Heat honours nested_depth. */
  private async readPage(cursor: Marker | undefined, signal: AbortSignal) {
    const { api, ref, query } = this.args;
    const q = { ...query, sort_dir: 'asc', sort_keys: undefined, limit: this.pageSize, marker: cursor?.id };
    const got: FetchedEvents = await api.fetchEvents(ref, this.stack, undefined, q, this.operation, signal);
    this.stack ??= got.stack;
    const events = got.events;
    if (this.depth > 0 && !this.nestingChecked) {
      this.stack ??= await api.resolveStack(ref, signal);
      const supported = await supportsNestedDepth(api, this.stack, this.depth, events[0], this.operation, signal);
      this.nestingChecked = supported !== undefined;
      this.merged = supported === false;
      if (this.merged) return { items: [] };
    }
    const last = events[events.length - 1];
    const next = events.length >= this.pageSize && last ? { id: last.id, t: last.timestamp.getTime() } : undefined;
    return { items: events, next };
  }

  /** A Heat without nested_depth: re-read every stack's list; the engine drops what it yielded. */
  private async pollMerged(stack: CanonicalStack, signal: AbortSignal): Promise<PollResult<StackEvent>> {
    const all = await readNestedEvents(this.args.api, stack, this.depth, this.args.query, this.operation, signal);
    this.deploymentIds = undefined;
    // The whole list again each poll: it brought something new when it grew.
    this.checks.polled({ events: all.length === this.seenMerged ? [] : all });
    this.seenMerged = all.length;
    return { events: this.take(all) };
  }

  /** Sets deployment ids and applies the local filters. */
  private take(events: StackEvent[]): StackEvent[] {
    const { localFilter } = this.args;
    const out: StackEvent[] = [];
    if (this.derivesDeployments) this.deploymentIds ??= new DeploymentIds(this.stack);
    for (const ev of events) {
      this.deploymentIds?.assign(ev);
      if (!localFilter || localFilter(ev)) out.push(ev);
    }
    return out;
  }
}
