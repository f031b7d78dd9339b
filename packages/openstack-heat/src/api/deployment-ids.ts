import type { Phase, StackEvent } from '@stackfeed/core';
import type { CanonicalStack } from '../mapping/event.js';

/**
 * Where a listing stands between deployments, as a continuation token carries it: the current
 * deployment's id (`d`), the phase of the stack's last own stack-level event (`p`), and `u: 1`
 * while the listing is inside a deployment whose start was pruned.
 */
export interface DeploymentTrack {
  d?: string | undefined;
  p?: Phase | undefined;
  u?: 1 | undefined;
}

const TERMINAL: ReadonlySet<Phase> = new Set<Phase>(['COMPLETE', 'FAILED', 'SKIPPED', 'CANCELLED']);
const PHASES: ReadonlySet<string> = new Set<Phase>([
  'IN_PROGRESS',
  'COMPLETE',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
  'INFO',
  'UNKNOWN',
]);

function isRollback(ev: StackEvent): boolean {
  return ev.action === 'ROLLBACK' || ev.status.toUpperCase().includes('ROLLBACK');
}

/**
 * Sets `deploymentId` on the events of one stack listing read oldest first, unfiltered (nested
 * stacks' events included), as they come. A Heat deployment's id is the id of the stack-level
 * `*_IN_PROGRESS` event of the stack itself that opened it: a Heat event uuid, the same on every
 * re-read. The rule is core's `groupDeployments` rule: such an event opens a new deployment
 * unless the current one is still running, or it failed and this is its ROLLBACK; the events
 * before the first opening event belong to a deployment whose start was pruned and get no id
 * (its start cannot be known, so no id would stay the same as Heat prunes further).
 */
export class DeploymentIds {
  private id: string | undefined;
  private lastOwn: Phase | undefined;
  /** Events were seen before any opening event: the listing started inside a pruned deployment. */
  private pruned = false;

  constructor(
    private readonly root: CanonicalStack | undefined,
    from?: DeploymentTrack,
  ) {
    if (from) {
      this.id = from.d;
      this.lastOwn = from.p;
      this.pruned = from.u === 1;
    }
  }

  /** The stack's own stack-level event (not a nested stack's). */
  private own(ev: StackEvent): boolean {
    if (ev.isStackEvent !== true) return false;
    const rootId = this.root?.id ?? ev.stack.rootId;
    return rootId === undefined || ev.stack.id === rootId;
  }

  /** Assigns in listing order; call once per event. */
  assign(ev: StackEvent): void {
    const own = this.own(ev);
    if (own && ev.phase === 'IN_PROGRESS' && !this.continues(ev)) {
      this.id = ev.id;
      this.pruned = false;
    } else if (this.id === undefined) {
      this.pruned = true;
    }
    if (own) this.lastOwn = ev.phase;
    if (this.id !== undefined) ev.deploymentId = this.id;
  }

  private continues(ev: StackEvent): boolean {
    if (this.lastOwn === undefined) return this.pruned && isRollback(ev);
    if (!TERMINAL.has(this.lastOwn)) return true;
    return this.lastOwn === 'FAILED' && isRollback(ev);
  }

  /** The state to carry in a continuation token. */
  track(): DeploymentTrack {
    return { d: this.id, p: this.lastOwn, u: this.pruned ? 1 : undefined };
  }
}

/** Why a token's deployment state is not one this client wrote, or undefined. */
export function refuseTrack(t: unknown): string | undefined {
  if (t === undefined) return undefined;
  if (typeof t !== 'object' || t === null) return 'its deployment state is not an object';
  const { d, p, u } = t as Record<string, unknown>;
  if (u !== undefined && u !== 1) return 'its pruned flag is not 1';
  if (d !== undefined && (typeof d !== 'string' || d.length === 0 || d.length > 255))
    return 'its deployment id is malformed';
  if (p !== undefined && (typeof p !== 'string' || !PHASES.has(p))) return 'its deployment phase is unknown';
  return undefined;
}
