/** Default of {@link StatusCheckOptions.quietPolls}. */
export const DEFAULT_QUIET_POLLS = 2;

/** Options of {@link StatusChecks}. */
export interface StatusCheckOptions<T> {
  /**
   * An event that can end the operation: after one, the next check asks the server (a finished
   * stack-level event of the watched stack, RFS's end marks). Given only the poll's new events.
   */
  hint: (ev: T) => boolean;
  /** Polls in a row without new events after which a check asks anyway (default 2; a whole number >= 1). */
  quietPolls?: number | undefined;
}

/** What one poll read, as `StatusChecks.polled` is told it. */
export interface PolledRead<T> {
  /** The poll's new events (before any local filter: a filtered-out event may still end the operation). */
  events: Iterable<T>;
  /** The poll stopped at its page cap with more pages waiting. */
  capped?: boolean | undefined;
  /** The listing said the target is gone (a 404 after it was seen). */
  gone?: boolean | undefined;
}

/**
 * When a watch's `checkTerminal` asks the server for the target's status, and when it trusts the
 * events: one policy for every adapter whose status costs a request of its own.
 *
 * - Until the target was seen once (`answered()` after a status request that found it), every
 *   check asks: a not-found grace or a not-yet-created target stays exact.
 * - After that a check asks only when (a) the polls since the last answer brought a *hint*, an event
 *   that can end the operation; (b) `quietPolls` polls in a row brought no new events (a stack that
 *   settles without a hint: its last events pruned or never written); (c) a poll said the target is
 *   gone.
 * - Never while the last poll was capped: more pages wait, the next poll reads them first.
 *
 * The bound: with no hint at all, a terminal status is noticed at most `quietPolls + 1` poll
 * intervals after the last event (the poll that brought it, then `quietPolls` quiet ones; the last
 * of them asks). A check that fails keeps what it was owed: the engine's retry asks again.
 */
export class StatusChecks<T> {
  /** Quiet polls in a row after which a check asks (the option, checked). */
  readonly quietPolls: number;
  private seen = false;
  private hinted = false;
  private gone = false;
  private capped = false;
  private quiet = 0;

  constructor(private readonly options: StatusCheckOptions<T>) {
    const q = options.quietPolls ?? DEFAULT_QUIET_POLLS;
    if (!Number.isInteger(q) || q < 1) throw new RangeError(`quietPolls must be a whole number >= 1, not ${String(q)}`);
    this.quietPolls = q;
  }

  /** After each poll: its new events, whether it was capped, whether it found the target gone. */
  polled(read: PolledRead<T>): void {
    let any = false;
    for (const ev of read.events) {
      any = true;
      if (!this.hinted && this.options.hint(ev)) this.hinted = true;
    }
    this.quiet = any ? 0 : this.quiet + 1;
    this.capped = read.capped === true;
    if (read.gone) this.gone = true;
  }

  /** Whether this check asks the server for the status. */
  shouldAsk(): boolean {
    if (this.capped) return false;
    if (!this.seen) return true;
    return this.hinted || this.gone || this.quiet >= this.quietPolls;
  }

  /** The status request succeeded and found the target: it was seen, and what was owed is paid. */
  answered(): void {
    this.seen = true;
    this.hinted = false;
    this.gone = false;
    if (this.quiet >= this.quietPolls) this.quiet = 0;
  }
}

/**
 * The events of a poll not read by an earlier one, for a listing re-read down to (and a page past)
 * its newest event: newer than the newest read, or of that same instant with an id not read then.
 * Ids must be stable across polls.
 */
export class FreshEvents<T extends { id: string; timestamp: Date }> {
  /** The newest event time read so far (epoch ms). */
  newest: number | undefined;
  private idsAtNewest = new Set<string>();

  /** The events of `items` not read before; remembers them. */
  take(items: Iterable<T>): T[] {
    const before = this.newest;
    const atBefore = this.idsAtNewest;
    const fresh: T[] = [];
    for (const ev of items) {
      const ms = ev.timestamp.getTime();
      if (before !== undefined && (ms < before || (ms === before && atBefore.has(ev.id)))) continue;
      fresh.push(ev);
      if (this.newest === undefined || ms > this.newest) {
        this.newest = ms;
        this.idsAtNewest = new Set();
      }
      if (ms === this.newest) this.idsAtNewest.add(ev.id);
    }
    return fresh;
  }
}
