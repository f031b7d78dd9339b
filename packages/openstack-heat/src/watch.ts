import type { StackEvent, StackInfo } from '@stackfeed/core';
import type { TerminalCheck, WatchSource } from '@stackfeed/core/adapter';
import { StackfeedError } from '@stackfeed/core';
import type { FetchedEvents, HeatApi } from './api/heat-api.js';
import { readNestedEvents, supportsNestedDepth } from './api/nested.js';
import type { HeatStackRef } from './api/refs.js';
import type { CanonicalStack } from './mapping/event.js';
import { watchOutcomeOf } from './mapping/status.js';

/** Safety cap: pages read in one poll while catching up. */
const MAX_PAGES_PER_POLL = 200;

/**
 * The Heat side of a watch; core's watch engine does the polling loop, dedupe, ordering, backoff
 * and the final drain. Each poll reads `sort_dir=asc` pages after the last event seen (Heat's
 * `marker`) until a short page. A marker Heat ignores (the event was pruned past
 * `max_events_per_stack`) makes Heat restart the list; the engine drops what was already
 * yielded, and the marker moves to the end again. Filters go to Heat's stack-events URL (never
 * the resource-events URL, which answers 404 when nothing matches). The stack's status is read
 * (`GET stack`) on the first poll, after a new stack-level event of the watched stack that is not
 * IN_PROGRESS, and after two quiet polls: not on every poll.
 */
export function createWatchSource(args: {
  api: HeatApi;
  ref: HeatStackRef;
  query: Record<string, unknown>;
  pageSize: number;
  localFilter: ((ev: StackEvent) => boolean) | undefined;
  untilAction: string | undefined;
}): WatchSource<StackEvent, StackInfo> {
  const { api, ref, query, localFilter, untilAction } = args;
  const pageSize = Math.max(1, Math.floor(args.pageSize));
  let stack: CanonicalStack | undefined;
  let marker: { id: string; t: number } | undefined;
  let checked = false;
  let stackEventSeen = false;
  let quietPolls = 0;
  let gone = false;
  const depth = Number(query.nested_depth ?? 0);
  /** Heat ignored `nested_depth`: each poll merges the nested stacks' lists itself. */
  let merged = false;
  let nestingChecked = false;
  let seenMerged = 0;

  return {
    provider: 'openstack-heat',
    operation: 'watchStackEvents',
    async poll(ctx) {
      const out: StackEvent[] = [];
      let raw = 0;
      const take = (events: StackEvent[]) => {
        raw += events.length;
        for (const ev of events) {
          if (ev.isStackEvent && stack && ev.stack.id === stack.id && ev.phase !== 'IN_PROGRESS') stackEventSeen = true;
          if (!localFilter || localFilter(ev)) out.push(ev);
        }
      };
      if (merged && stack) {
        // A Heat without nested_depth: re-read every stack's list; the engine drops what it yielded.
        take(await readNestedEvents(api, stack, depth, query, 'watchStackEvents', ctx.signal));
        quietPolls = raw === seenMerged ? quietPolls + 1 : 0;
        seenMerged = raw;
        return out;
      }
      for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
        const q = { ...query, sort_dir: 'asc', sort_keys: undefined, limit: pageSize, marker: marker?.id };
        let got: FetchedEvents;
        try {
          got = await api.fetchEvents(ref, stack, undefined, q, 'watchStackEvents', ctx.signal);
        } catch (err) {
          // The stack was seen and now is not found at all (purged after DELETE_COMPLETE): over.
          if (stack && StackfeedError.is(err, 'NOT_FOUND')) {
            gone = true;
            break;
          }
          throw err;
        }
        stack ??= got.stack;
        const events = got.events;
        if (depth > 0 && !nestingChecked) {
          stack ??= await api.resolveStack(ref, ctx.signal);
          const supported = await supportsNestedDepth(api, stack, depth, events[0], 'watchStackEvents', ctx.signal);
          nestingChecked = supported !== undefined;
          merged = supported === false;
        }
        if (merged && stack) {
          take(await readNestedEvents(api, stack, depth, query, 'watchStackEvents', ctx.signal));
          seenMerged = raw;
          return out;
        }
        take(events);
        const last = events[events.length - 1];
        if (last) marker = { id: last.id, t: last.timestamp.getTime() };
        if (events.length < pageSize) break;
      }
      quietPolls = raw === 0 ? quietPolls + 1 : 0;
      return out;
    },
    async checkTerminal({ signal }): Promise<TerminalCheck<StackInfo>> {
      if (gone) return { terminal: true, outcome: 'deleted', status: 'DELETE_COMPLETE' };
      if (checked && !stackEventSeen && quietPolls < 2) return { terminal: false };
      checked = true;
      stackEventSeen = false;
      if (quietPolls >= 2) quietPolls = 0;
      let info: StackInfo;
      try {
        info = await api.getStack(stack ?? ref, signal);
      } catch (err) {
        // Gone (purged, or looked up by name after DELETE_COMPLETE): the watch is over.
        if (StackfeedError.is(err, 'NOT_FOUND') && stack) {
          return { terminal: true, outcome: 'deleted', status: 'DELETE_COMPLETE' };
        }
        throw err;
      }
      const outcome = watchOutcomeOf(info.state);
      if (!outcome || (untilAction && info.action !== untilAction.toUpperCase())) return { terminal: false };
      const check: TerminalCheck<StackInfo> = { terminal: true, outcome, status: info.status, final: info };
      if (info.reason !== undefined) check.reason = info.reason;
      return check;
    },
  };
}
