import type { Deployment, ListDeploymentsOptions, Paginator, StackEvent } from '@stackfeed/core';
import { deploymentPaginator, findDeployment, groupDeployments } from '@stackfeed/core/adapter';
import { PAGE_SIZE } from '../page-size.js';
import { eventPaginator } from './event-paginator.js';
import { type HeatApi, PROVIDER } from './heat-api.js';
import type { CanonicalStack } from '../mapping/event.js';
import { type HeatStackRef, canonicalOf, lookupKeyOf } from './refs.js';

/**
 * How deep nested stacks are read for deployments: above Heat's own ceiling
 * (`max_nested_stack_depth`, 5 by default), so every level Heat allows is included.
 */
export const DEPLOYMENT_NESTED_DEPTH = 10;

/** Events per request while reading a stack's history: Heat's default page size. */
const PAGE = PAGE_SIZE.default;

/**
 * The stack a listing was made on, from its events: each carries its root stack (Heat's
 * `root_stack` link with `nested_depth`, else the canonical URL the lookup redirected to).
 */
function listedStack(ref: HeatStackRef, events: readonly StackEvent[]): CanonicalStack | undefined {
  const known = canonicalOf(ref);
  if (known) return known;
  const s = events[0]?.stack;
  if (s?.rootId !== undefined && s.rootName !== undefined) return { name: s.rootName, id: s.rootId };
  return s?.id !== undefined && s.name !== undefined ? { name: s.name, id: s.id } : undefined;
}

/**
 * Loads a stack's deployments, oldest first: every event of the stack (and of its nested stacks,
 * Heat's `nested_depth`, unless `nested: false`), oldest first with `deploymentId` derived as the
 * listing goes (see `DeploymentIds`), grouped by core's `groupDeployments`. A stack named by name
 * alone is not resolved first: the listing's own request goes through Heat's lookup redirect and
 * its events name the stack (2 requests at Heat for a history of up to a page, not 3).
 */
function loader(api: HeatApi, ref: HeatStackRef, nested: boolean) {
  return async (signal: AbortSignal | undefined): Promise<Deployment[]> => {
    const options = { nestedDepth: nested ? DEPLOYMENT_NESTED_DEPTH : 0, pageSize: PAGE, signal };
    const events: StackEvent[] = [];
    const limits = { min: 1, max: 100_000 };
    for await (const ev of eventPaginator(api, 'listDeployments', ref, undefined, options, limits)) events.push(ev);
    const stack = listedStack(ref, events) ?? { name: lookupKeyOf(ref) };
    // Every opening event carries its own id as `deploymentId`; `idOf` only names the rest the same way.
    return groupDeployments(events, { provider: PROVIDER, stack, idOf: (opening) => opening.id });
  };
}

/** A stack's deployments, newest first. */
export function listDeployments(
  api: HeatApi,
  ref: HeatStackRef,
  options: ListDeploymentsOptions = {},
): Paginator<Deployment> {
  lookupKeyOf(ref);
  const nested = options.nested !== false;
  return deploymentPaginator({
    provider: PROVIDER,
    operation: 'listDeployments',
    scope: { ref, nested },
    options,
    tokenKey: api.tokenKey,
    load: loader(api, ref, nested),
  });
}

/** One deployment of a stack by id; NOT_FOUND when the stack has none by that id. */
export function getDeployment(
  api: HeatApi,
  ref: HeatStackRef,
  id: string,
  signal: AbortSignal | undefined,
): Promise<Deployment> {
  lookupKeyOf(ref);
  return findDeployment(PROVIDER, loader(api, ref, true), id, signal);
}
