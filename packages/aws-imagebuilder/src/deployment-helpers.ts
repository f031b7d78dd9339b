/**
 * Local copy of core's `deploymentPaginator` / `findDeployment`, to the signatures core lands on
 * main; deleted when they do.
 */
import { type Deployment, type ListOptions, type Paginator, type ProviderId, StackfeedError } from '@stackfeed/core';
import { createPaginator, type TokenKey } from '@stackfeed/core/adapter';

/** A Paginator<Deployment> newest first over deployments that `load` computes (oldest first). */
export function deploymentPaginator(config: {
  provider: ProviderId;
  operation: string;
  scope?: unknown;
  options?: ListOptions | undefined;
  tokenKey?: TokenKey | undefined;
  load: (signal: AbortSignal | undefined) => Promise<Deployment[]>;
}): Paginator<Deployment> {
  let loaded: Promise<Deployment[]> | undefined;
  return createPaginator<Deployment, number>({
    provider: config.provider,
    operation: config.operation,
    scope: config.scope,
    options: config.options,
    tokenKey: config.tokenKey,
    validateCursor: (c) => (typeof c === 'number' && Number.isInteger(c) && c > 0 ? undefined : 'not an offset'),
    fetchPage: async (cursor, pageSize, signal) => {
      loaded ??= config.load(signal).then((list) => [...list].reverse());
      let all: Deployment[];
      try {
        all = await loaded;
      } catch (err) {
        loaded = undefined;
        throw err;
      }
      const start = cursor ?? 0;
      const end = start + (pageSize ?? 100);
      return { items: all.slice(start, end), next: end < all.length ? end : undefined };
    },
  });
}

/** One deployment by id from the same load; StackfeedError NOT_FOUND when absent. */
export async function findDeployment(
  load: (signal?: AbortSignal) => Promise<Deployment[]>,
  id: string,
  signal?: AbortSignal,
): Promise<Deployment> {
  const all = await load(signal);
  const found = all.find((d) => d.id === id);
  if (found) return found;
  throw new StackfeedError({
    code: 'NOT_FOUND',
    provider: all[0]?.provider ?? 'aws-imagebuilder',
    operation: 'getDeployment',
    retryable: false,
    message: `getDeployment: no deployment ${JSON.stringify(id)}`,
  });
}
