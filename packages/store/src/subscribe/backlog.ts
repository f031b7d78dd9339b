/**
 * What a subscription holds between the commits it is told of and its reader: values wait here
 * until `next()` takes them, and a reader already waiting gets the next value at once. A failure
 * is read after the values before it.
 */
export class Backlog<T> {
  private readonly queue: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((e: unknown) => void) | undefined;
  private failure: unknown;
  private isClosed = false;

  /** @param max Unread values held; `offer` refuses one more. */
  constructor(private readonly max: number) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** Hand `value` to the waiting reader, else queue it. False (nothing taken) when `max` are unread. */
  offer(value: T): boolean {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      this.failWaiting = undefined;
      w({ done: false, value });
      return true;
    }
    if (this.queue.length >= this.max) return false;
    this.queue.push(value);
    return true;
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value) return Promise.resolve({ done: false, value });
    if (this.failure) return Promise.reject(this.failure);
    if (this.isClosed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((res, rej) => {
      this.waiting = res;
      this.failWaiting = rej;
    });
  }

  /** No more values: a waiting reader is told it is done. False when it was closed already. */
  close(): boolean {
    if (this.isClosed) return false;
    this.isClosed = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.({ done: true, value: undefined });
    return true;
  }

  /**
   * Every later read past the queued values rejects with `err`; so does the waiting one. Once
   * closed, nothing: the reader was told it is done (a read-back failing after close is nobody's).
   */
  fail(err: unknown): void {
    if (this.isClosed) return;
    this.failure = err;
    const f = this.failWaiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    f?.(err);
  }
}
