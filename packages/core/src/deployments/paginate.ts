import { StackfeedError, throwIfAborted } from '../errors/stackfeed-error.js';
import type { Deployment } from '../models/deployment.js';
import type { ProviderId } from '../models/enums.js';
import type { TokenKey } from '../paging/continuation-token.js';
import { createPaginator, type ListOptions, type Paginator } from '../paging/paginator.js';

/** Loads a stack's deployments, oldest first (what `groupDeployments` returns). */
export type LoadDeployments = (signal: AbortSignal | undefined) => Promise<Deployment[]>;

export interface DeploymentPaginatorConfig {
  provider: ProviderId;
  operation: string;
  /** The call's arguments (stack, options): tokens are bound to them. */
  scope?: unknown;
  options?: ListOptions | undefined;
  tokenKey?: TokenKey | undefined;
  load: LoadDeployments;
}

/**
 * Where the next page starts: after the deployment with this id. `before` (its start, epoch ms)
 * keeps the place when that deployment is gone by the next read (pruned history).
 */
interface DeploymentCursor {
  after: string;
  before?: number;
}

const PAGE_SIZE = { min: 1, max: 1000, default: 50 };

/**
 * A `Paginator<Deployment>`, newest first, over what `load` computes. One pass loads once and pages
 * through that answer; a continuation token resumes after the deployment it names, so deployments
 * started in between do not shift the pages.
 */
export function deploymentPaginator(config: DeploymentPaginatorConfig): Paginator<Deployment> {
  let loaded: Promise<Deployment[]> | undefined;
  const newestFirst = (signal: AbortSignal | undefined): Promise<Deployment[]> => {
    loaded ??= config.load(signal).then((list) => [...list].reverse());
    // A failed load is not kept: the next page (or a retry of the pass) asks again.
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };
  return createPaginator<Deployment, DeploymentCursor>({
    provider: config.provider,
    operation: config.operation,
    scope: config.scope,
    options: config.options,
    tokenKey: config.tokenKey,
    pageSizeLimits: PAGE_SIZE,
    validateCursor: (cursor) =>
      typeof cursor === 'object' &&
      cursor !== null &&
      typeof (cursor as DeploymentCursor).after === 'string' &&
      ['number', 'undefined'].includes(typeof (cursor as DeploymentCursor).before)
        ? undefined
        : 'not a deployment cursor',
    fetchPage: async (cursor, pageSize, signal) => {
      const all = await newestFirst(signal);
      throwIfAborted(signal);
      let start = 0;
      if (cursor) {
        const at = all.findIndex((d) => d.id === cursor.after);
        if (at >= 0) start = at + 1;
        else {
          const before = cursor.before;
          start = before === undefined ? all.length : firstOlder(all, before);
        }
      }
      const size = pageSize ?? PAGE_SIZE.default;
      const items = all.slice(start, start + size);
      const last = items.at(-1);
      const next: DeploymentCursor | undefined =
        last && start + size < all.length
          ? { after: last.id, ...(last.startedAt ? { before: last.startedAt.getTime() } : {}) }
          : undefined;
      return { items, next };
    },
  });
}

function firstOlder(newestFirst: readonly Deployment[], before: number): number {
  const at = newestFirst.findIndex((d) => d.startedAt !== undefined && d.startedAt.getTime() < before);
  return at < 0 ? newestFirst.length : at;
}

/** One deployment by id, from the same load as the listing; NOT_FOUND when the stack has none by that id. */
export async function findDeployment(
  provider: ProviderId,
  load: LoadDeployments,
  id: string,
  signal?: AbortSignal,
): Promise<Deployment> {
  const found = (await load(signal)).find((d) => d.id === id);
  if (!found) {
    throw new StackfeedError({
      code: 'NOT_FOUND',
      provider,
      message: `no deployment ${JSON.stringify(id)} on this stack`,
    });
  }
  return found;
}
