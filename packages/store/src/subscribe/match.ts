import type { StackEvent } from '@stackfeed/core';
import { stackKeyOf } from '../rows.js';
import type { SubscribeFilter } from './subscription.js';

/** The filter of a subscription (or feed) as a test of one event in memory: each given field must match. */
export function eventMatcher(filter: SubscribeFilter & { text?: string | undefined }): (ev: StackEvent) => boolean {
  const phases =
    filter.phase === undefined ? undefined : new Set(typeof filter.phase === 'string' ? [filter.phase] : filter.phase);
  const needle = filter.text ? filter.text.toLowerCase() : undefined;
  return (ev) =>
    (!filter.provider || ev.provider === filter.provider) &&
    (!filter.stack || stackKeyOf(ev) === filter.stack || ev.stack.name === filter.stack) &&
    (!phases || phases.has(ev.phase)) &&
    (!needle || textMatches(ev, needle));
}

/** The `text` filter of `events()` for one event in memory: message, status or logical id. */
function textMatches(ev: StackEvent, needle: string): boolean {
  return [ev.message, ev.status, ev.resource.logicalId].some((v) => v?.toLowerCase().includes(needle) === true);
}
