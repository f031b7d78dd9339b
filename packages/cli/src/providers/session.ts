/**
 * The CLI's calls of a connected client, written once over core's source interfaces: each
 * provider file says only how a target string becomes its client's ref, and which families of
 * calls its client has.
 */
import type { DeploymentSource, ImageInfo, ListOptions, Paginator, StackEventSource, StackInfo } from '@stackfeed/core';
import type { EventFollowQuery, EventListQuery, ProviderSession } from './types.js';

/** The CLI command a target is read for (a bad target is a usage error naming it). */
export type TargetCommand = 'events' | 'deployments';

/** A client whose stack events and deployments the CLI reads. */
export type EventClient<R> = StackEventSource<R> & Pick<DeploymentSource<R>, 'listDeployments'>;

/** Options of {@link eventSession}. */
export interface EventSessionOptions<R> {
  /** The client's ref of a target string. */
  ref: (target: string, command: TargetCommand) => R;
  /** Options of this provider's client beyond core's, from the query (Heat: `nestedDepth`). */
  extra?: ((query: EventListQuery | EventFollowQuery) => Record<string, unknown>) | undefined;
}

/** The filters the CLI passes on every event list and follow. */
const filters = (q: EventListQuery | EventFollowQuery) => ({
  since: q.since,
  phase: q.phase,
  resourceName: q.resourceName,
});

/** `events`, `events --follow`, `watch` and `deployments` over a client's StackEventSource and DeploymentSource. */
export function eventSession<R>(
  client: EventClient<R>,
  options: EventSessionOptions<R>,
): Required<Pick<ProviderSession, 'listEvents' | 'followEvents' | 'listDeployments'>> {
  const { ref, extra = () => ({}) } = options;
  return {
    listEvents: (target, q) =>
      client.listStackEvents(ref(target, 'events'), {
        ...filters(q),
        ...extra(q),
        maxItems: q.maxItems,
        signal: q.signal,
      }),
    followEvents: (target, q) =>
      client.watchStackEvents(ref(target, 'events'), {
        ...filters(q),
        ...extra(q),
        pollIntervalMs: q.pollIntervalMs,
        timeoutMs: q.timeoutMs,
        signal: q.signal,
      }),
    listDeployments: (target, q) =>
      client.listDeployments(ref(target, 'deployments'), { maxItems: q.maxItems, signal: q.signal }),
  };
}

/** A client with images (both AWS providers). */
export interface ImageClient {
  listImages(options: ListOptions): Paginator<ImageInfo>;
  getImage(id: string, options: { signal?: AbortSignal }): Promise<ImageInfo>;
}

/** `images` and `image` over a client's `listImages` / `getImage`. */
export function imageSession(client: ImageClient): Required<Pick<ProviderSession, 'listImages' | 'describeImage'>> {
  return {
    listImages: (q) => client.listImages({ maxItems: q.maxItems, signal: q.signal }),
    describeImage: (id, q) => client.getImage(id, { signal: q.signal }),
  };
}

/** A client with stacks (Heat, RFS). */
export interface StackClient {
  listStacks(options: ListOptions): Paginator<StackInfo>;
}

/** `stacks` over a client's `listStacks`. */
export function stackSession(client: StackClient): Required<Pick<ProviderSession, 'listStacks'>> {
  return { listStacks: (q) => client.listStacks({ maxItems: q.maxItems, signal: q.signal }) };
}
