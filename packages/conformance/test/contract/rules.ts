/**
 * The contract, stated once: each rule a caller can rely on, on every provider. The suites in this
 * folder run every rule against every target; a rule a provider cannot meet for a documented
 * reason is listed in `exceptions` with that reason (and the suite checks the stated behaviour).
 */
import type { StackEvent } from '@stackfeed/core';
import type { TargetId } from './targets.js';

export interface Rule {
  id: string;
  promise: string;
  /** Providers that meet the rule in a documented other way, and why. */
  exceptions?: Partial<Record<TargetId, string>>;
}

export const RULES = {
  order: {
    id: 'R-order',
    promise:
      "List calls yield events oldest first by default; order: 'newest-first' yields the exact reverse; " +
      'limit / maxItems N are the first N events in the chosen order, the same N as the ground truth.',
  },
  filter: {
    id: 'R-filter',
    promise:
      'Every combination of since / resourceName / resourceType / phase and the provider status filters is ' +
      "their intersection; capabilities.filters is truthful (a 'server' filter is in the request, a 'local' one is not).",
  },
  time: {
    id: 'R-time',
    promise:
      "Timestamps are the provider's own UTC instants (never 1970, never invented); a record without a time is " +
      'not a StackEvent; a numeric string in a time field is INVALID_RESPONSE naming the field.',
    exceptions: {
      'pcluster-direct':
        "INVALID_RESPONSE, but the member is not named: the AWS SDK's awsQuery XML deserializer rejects the " +
        'timestamp before stackfeed sees the record, and its error names no member.',
    },
  },
  deployments: {
    id: 'R-deployments',
    promise:
      'Every client with stack events is a DeploymentSource (docs/deployments.md): listDeployments pages newest ' +
      'first; durations are the difference of the times they span (never a guessed start); a failed deployment ' +
      'names a FAILED event as its root cause; getDeployment(id) returns the listed deployment, NOT_FOUND for an unknown id.',
  },
  enum: {
    id: 'R-enum',
    promise:
      'Every status the official specs document maps to a real phase (not UNKNOWN); an unknown literal maps to ' +
      'UNKNOWN with the literal kept in status.',
  },
  optional: {
    id: 'R-optional',
    promise:
      'A record with every member the official model marks optional removed parses; a record missing a required ' +
      'member is INVALID_RESPONSE naming the member.',
    exceptions: {
      'openstack-heat':
        'The Heat api-ref marks every body member required, including physical_resource_id that its own samples ' +
        'send as null: "optional" is what a sample sends as null, and "required" is checked on id, event_time and ' +
        'resource_status.',
      'pcluster-api':
        "The ParallelCluster server copies CloudFormation's StackEvent without checking it, so the CloudFormation " +
        'model (StackId, EventId, StackName, Timestamp required) governs, not the OpenAPI schema.',
    },
  },
  ids: {
    id: 'R-ids',
    promise:
      "Ids are stable across re-reads (the provider's, or a content hash where it has none) and unique; a watch " +
      'yields each event once.',
  },
  token: {
    id: 'R-token',
    promise:
      "A continuation token resumes at the next page; another stack's call refuses it with BAD_REQUEST before any request.",
  },
  stack: {
    id: 'R-stack',
    promise: 'isStackEvent is decided only from data the provider returned (undefined when it was not returned).',
  },
} as const satisfies Record<string, Rule>;

export type RuleKey = keyof typeof RULES;

/** `R-order: oldest first …` as a test title. */
export const title = (rule: RuleKey, what: string) => `${RULES[rule].id}: ${what}`;

/** The first difference between two key sequences, or undefined when they are equal. */
export function firstDiff(got: readonly string[], want: readonly string[]): string | undefined {
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) {
      return `${got.length} events vs ${want.length} expected; first difference at #${i}: got ${
        got[i] ?? '(none)'
      }, expected ${want[i] ?? '(none)'}`;
    }
  }
  return undefined;
}

/** The common filters' meaning on a returned event (the one reading, on every provider). */
export function matches(
  ev: StackEvent,
  f: { since?: Date; resourceName?: string; resourceType?: string; phase?: string },
): boolean {
  if (f.since && ev.timestamp.getTime() < f.since.getTime()) return false;
  if (f.resourceName !== undefined && ev.resource.name !== f.resourceName && ev.resource.logicalId !== f.resourceName)
    return false;
  if (f.resourceType !== undefined && ev.resource.type !== f.resourceType) return false;
  if (f.phase !== undefined && ev.phase !== f.phase) return false;
  return true;
}
