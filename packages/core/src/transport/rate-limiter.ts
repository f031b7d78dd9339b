import { StackfeedError } from '../errors/stackfeed-error.js';
import type { ProviderId } from '../models/enums.js';
import type { SdkClientLike } from './aws-sdk.js';

/** A client-side request budget: at most `limit` requests in any window of `intervalMs`. */
export interface RateLimitOptions {
  /** Requests allowed per window (>= 1). */
  limit: number;
  /** The window, in ms (default 1000). */
  intervalMs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A sliding-window request limiter: in ANY window of `intervalMs`, at most `limit` requests start
 * (a token bucket would allow up to twice that across a window boundary, which is what trips a
 * provider's own limit). Waiters are served first come, first served; a waiter whose signal aborts
 * leaves the queue with ABORTED.
 *
 * Share one instance between clients that draw on the same provider quota: `rateLimit` on each
 * adapter's options takes either options (a limiter per client) or a `RateLimiter`.
 *
 * Written here rather than taken from a library: p-throttle and limiter have no per-call
 * AbortSignal, and bottleneck is unmaintained; the whole mechanism is a ring of timestamps.
 */
export class RateLimiter {
  readonly limit: number;
  readonly intervalMs: number;
  /** Start times of the last `limit` grants, oldest at `head`. */
  private readonly grants: number[];
  private head = 0;
  private count = 0;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;
  private granted = 0;

  constructor(opts: RateLimitOptions & { now?: () => number }) {
    if (!Number.isInteger(opts.limit) || opts.limit < 1) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'core',
        message: `rateLimit.limit must be an integer >= 1 (got ${String(opts.limit)})`,
      });
    }
    const interval = opts.intervalMs ?? 1000;
    if (!Number.isFinite(interval) || interval <= 0) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'core',
        message: `rateLimit.intervalMs must be a positive number (got ${String(opts.intervalMs)})`,
      });
    }
    this.limit = opts.limit;
    this.intervalMs = interval;
    this.grants = new Array<number>(opts.limit).fill(0);
    this.now = opts.now ?? (() => performance.now());
  }

  /** Requests granted so far. */
  get grantedCount(): number {
    return this.granted;
  }

  /** Requests waiting for a slot. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Resolve when a request may start. Rejects with StackfeedError ABORTED when `signal` aborts
   * first (the slot is not consumed).
   */
  acquire(signal?: AbortSignal, provider: ProviderId | 'core' = 'core'): Promise<void> {
    if (signal?.aborted) return Promise.reject(aborted(signal, provider));
    if (this.queue.length === 0 && this.tryGrant()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          if (this.queue.length === 0) this.clearTimer();
          reject(aborted(signal, provider));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.schedule();
    });
  }

  private tryGrant(): boolean {
    const t = this.now();
    if (this.count < this.limit) {
      this.grants[(this.head + this.count) % this.limit] = t;
      this.count++;
    } else {
      // Full ring: the oldest grant must have left the window.
      if (t - (this.grants[this.head] as number) < this.intervalMs) return false;
      this.grants[this.head] = t;
      this.head = (this.head + 1) % this.limit;
    }
    this.granted++;
    return true;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    const wait = Math.max(0, (this.grants[this.head] as number) + this.intervalMs - this.now());
    // +1 ms: timers may fire a fraction early relative to performance.now().
    this.timer = setTimeout(() => this.drain(), Math.ceil(wait) + 1);
  }

  private drain(): void {
    this.timer = undefined;
    while (this.queue.length > 0 && this.tryGrant()) {
      const w = this.queue.shift() as Waiter;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.resolve();
    }
    this.schedule();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** A limiter from the `rateLimit` option: an instance is shared as is, options make a new one. */
export function toRateLimiter(opt: RateLimiter | RateLimitOptions | undefined): RateLimiter | undefined {
  if (opt === undefined) return undefined;
  return opt instanceof RateLimiter ? opt : new RateLimiter(opt);
}

function aborted(signal: AbortSignal, provider: ProviderId | 'core'): StackfeedError {
  const reason = signal.reason;
  if (StackfeedError.is(reason)) return reason;
  return new StackfeedError({
    code: 'ABORTED',
    provider,
    message: 'aborted while waiting for the client-side rate limit',
    cause: reason,
  });
}

/**
 * An AWS SDK v3 middleware (structurally typed: core loads no SDK) that takes a slot from `limiter`
 * before every attempt, retries included. Add it with
 * `client.middlewareStack.addRelativeTo(m, { relation: 'after', toMiddleware: 'retryMiddleware', name: 'stackfeedRateLimit' })`
 * via {@link addSdkRateLimit}.
 */
export function addSdkRateLimit(client: SdkClientLike, limiter: RateLimiter, provider: ProviderId): void {
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: Record<string, unknown>) => async (args: unknown) => {
      // The SDK keeps the call's abortSignal in its context; read defensively (internal key).
      const smithy = context.__smithy_context as { abortSignal?: AbortSignal } | undefined;
      await limiter.acquire(smithy?.abortSignal, provider);
      return next(args);
    };
  client.middlewareStack.addRelativeTo(middleware, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: 'stackfeedRateLimit',
    override: true,
  });
}
