/**
 * Where an event stands in a stack's operations, as the adapter tells it for
 * `operation: 'current'`:
 * - `'start'`: it opens a new operation (a top-level stack-level IN_PROGRESS event); a start while
 *   an operation is open (no end since its start: CloudFormation's `UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`)
 *   continues it;
 * - `'end'`: it ends one (a top-level stack-level COMPLETE, FAILED or CANCELLED event);
 * - `'resume'`: it continues the operation that just ended (a rollback after a failure).
 * Every other event: `undefined`.
 */
export type OperationMark = 'start' | 'end' | 'resume';

/** What the gate lets through from one poll. */
export interface GateResult<T> {
  /** Events of the followed operation, to yield now. */
  events: T[];
  /**
   * Set on the first poll when it shows no running operation for sure (the last one ended, or its
   * start was pruned): the engine asks the terminal check, and follows these events (the ones after
   * the last end) only if the stack is busy.
   */
  held?: T[];
}

/**
 * The `operation: 'current'` gate: drops the events of older operations and decides when the
 * operation to follow has begun. Before that, the engine ignores terminal statuses (they are an
 * older operation's).
 */
export class CurrentOperation<T> {
  /** True once the operation to follow is known: from then on every new event is its own. */
  following = false;

  constructor(private readonly mark: (ev: T) => OperationMark | undefined) {}

  /** `fresh` is one poll's new events, oldest first. */
  admit(fresh: T[], firstPoll: boolean): GateResult<T> {
    if (this.following) return { events: fresh };
    if (firstPoll) return this.fromHistory(fresh);
    // Later polls: the next operation to start (or the ended one's continuation), from its first event.
    const at = fresh.findIndex((ev) => {
      const m = this.mark(ev);
      return m === 'start' || m === 'resume';
    });
    if (at < 0) return { events: [] };
    this.following = true;
    return { events: fresh.slice(at) };
  }

  /** The first poll is history: only its last operation can be running. */
  private fromHistory(fresh: T[]): GateResult<T> {
    /** Where the last operation's events begin. */
    let opStart = 0;
    let open = false;
    /** Index of the first event after the last end (not resumed): where a next operation begins. */
    let afterEnd: number | undefined;
    fresh.forEach((ev, i) => {
      const m = this.mark(ev);
      if (m === 'start') {
        if (!open) opStart = i;
        open = true;
        afterEnd = undefined;
      } else if (m === 'resume') {
        open = true;
        afterEnd = undefined;
      } else if (m === 'end') {
        // An end with no start since the previous end: that operation began after it (start unmarked).
        if (afterEnd !== undefined) opStart = afterEnd;
        open = false;
        afterEnd = i + 1;
      }
    });
    if (open) {
      this.following = true;
      return { events: fresh.slice(opStart) };
    }
    return { events: [], held: fresh.slice(afterEnd ?? 0) };
  }

  /** The terminal check said the stack is busy: the held events are the running operation's. */
  follow(): void {
    this.following = true;
  }
}
