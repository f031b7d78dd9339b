/**
 * Child process of abort.test.ts: start one target's emulator and client, make the client wait
 * (a retry back-off, a watch backing off, or an IAM token request that hangs), abort, print the
 * outcome as one JSON line, unref the emulator (it keeps serving, and any connection the client
 * left open stays open, but the server itself no longer holds the process), and return: the
 * process must exit on its own (no process.exit), so any timer or socket the client leaked keeps
 * it alive.
 */
import { StackfeedError } from '@stackfeed/core';
import { type TargetName, target } from './targets.js';

export type AbortScenario = 'backoff' | 'watch-backoff' | 'iam-silent';

const [name, scenario] = process.argv.slice(2) as [TargetName, AbortScenario];
// The watch's outage answers 503 without Retry-After, so its back-off is full jitter in
// [0, maxDelayMs]: with 10 minutes, a leaked back-off timer outlives the parent's 5 s exit grace
// but for about 1 run in 120 (with 30 s it was 1 in 6). The throttle waits its Retry-After: 30 s.
const backoffMs = scenario === 'watch-backoff' ? 600_000 : 30_000;
const ctx = await target(name).start(
  {
    maxAttempts: 8,
    baseDelayMs: backoffMs,
    maxDelayMs: backoffMs,
    timeoutMs: 120_000,
    totalTimeoutMs: 3_600_000,
    iamPassword: scenario === 'iam-silent',
  },
  { live: scenario === 'watch-backoff' },
);
const controller = new AbortController();
if (scenario === 'iam-silent') {
  ctx.server.faults.inject({ kind: 'silent' }, { match: (r) => !ctx.isApi(r), times: Number.POSITIVE_INFINITY });
} else if (scenario === 'watch-backoff') {
  ctx.server.faults.inject({ kind: 'outage', status: 503, durationMs: 600_000 }, { match: (r) => ctx.isApi(r) });
} else {
  ctx.server.faults.inject(
    { kind: 'throttle', retryAfter: 30 },
    { match: (r) => ctx.isApi(r), times: Number.POSITIVE_INFINITY },
  );
}
const faulted = () => ctx.server.requests.filter((r) => r.fault !== undefined).length;
const call =
  scenario === 'watch-backoff'
    ? (async () => {
        for await (const _ of ctx.watch({
          signal: controller.signal,
          pollIntervalMs: 20,
          maxPollIntervalMs: 60_000,
          maxErrorDurationMs: 600_000,
        }));
      })()
    : ctx.list(undefined, { signal: controller.signal }).toArray({ limit: 10_000 });
const outcome = call.then(
  () => ({ settled: 'resolved' }),
  (e: unknown) => ({ settled: 'rejected', code: StackfeedError.is(e) ? e.code : `not a StackfeedError: ${String(e)}` }),
);
// Abort once the client is waiting: its first faulted request starts a back-off (the throttle's
// 30 s, the watch's jitter), in a watch as in a listing. Waiting for a second one would only
// wait out that back-off before the abort that is under test.
while (faulted() < 1) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 100));
controller.abort();
const result = await outcome;
process.stdout.write(`${JSON.stringify({ ...result, requests: faulted() })}\n`);
ctx.unref();
