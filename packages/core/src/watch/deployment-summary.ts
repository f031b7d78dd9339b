import { type GroupDeploymentsOptions, groupDeployments } from '../deployments/group.js';
import type { StackEvent } from '../models/types.js';
import type { WatchSummary } from './watch.js';

/**
 * `WatchSource.summarize` for StackEvent watches: the deployment the watch followed is the last
 * one `groupDeployments` finds in the events it yielded (the terminal status that ended the watch
 * is the latest operation's), with its root cause.
 */
export function deploymentSummary(options: GroupDeploymentsOptions): (events: readonly StackEvent[]) => WatchSummary {
  return (events) => {
    const deployment = groupDeployments(events, options).at(-1);
    if (!deployment) return {};
    return deployment.rootCause ? { deployment, rootCause: deployment.rootCause } : { deployment };
  };
}
