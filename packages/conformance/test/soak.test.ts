/**
 * Soak and scale, CI size (issue 8): 200 stacks (50 per provider, some failing, some with many
 * events) start over 3 simulated minutes and are watched at once, each provider's clients sharing
 * one RateLimiter (20 requests/s, as 4 per 200 ms) against a server quota of 25/s that answers 429
 * above it. Every watch must deliver exactly the emulator's ground truth (each event once, in the
 * documented order) and end with the right outcome; the limiter must keep its promise, and the
 * most requests the emulators received in any 1 s window must stay within the quota. Counts only:
 * the figures over time (memory, the full 10-minute run) are bench/soak/soak.ts's.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDERS, compare, maxInWindow, openHandles, recordingLimiter, runSoak } from './soak-lib.js';

describe('soak: 200 stacks across the four emulators under a shared per-provider rate limit', () => {
  it('delivers every event exactly once and never exceeds the quota', async () => {
    const before = openHandles();
    const report = await runSoak({
      stacks: 200,
      simMinutes: 3,
      speed: 12,
      clientLimit: 20,
      limiterSlices: 5,
      quota: 25,
      sampleMs: 0,
      graceMs: 60_000,
    });
    // Sockets the emulators closed, and the emulator process, are gone once the run resolves.
    await new Promise((r) => setTimeout(r, 200));
    const after = openHandles();
    for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'ProcessWrap'])
      expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
    expect(report.abandoned).toBe(0);
    expect(report.unhandledRejections).toBe(0);
    expect(report.stacks).toHaveLength(200);
    expect(report.providers.map((p) => p.provider).sort()).toEqual([...PROVIDERS].sort());
    for (const s of report.stacks) {
      // The watch opened while the deployment was still running.
      expect(s.watchStartedAt, s.name).toBeLessThan(s.endsAt);
      expect(s.error, s.name).toBeUndefined();
      expect(
        { name: s.name, duplicates: s.duplicates, missing: s.missing, unexpected: s.unexpected, exact: s.exact },
        s.name,
      ).toEqual({ name: s.name, duplicates: 0, missing: 0, unexpected: 0, exact: true });
      expect(s.outcome, s.name).toBe(s.expectedOutcome);
    }
    for (const p of report.providers) {
      expect(p.stacks).toBe(50);
      expect(p.delivered).toBe(p.truthEvents);
      // Some stacks fail, some succeed; some have many events.
      expect(
        report.stacks.filter((s) => s.provider === p.provider && s.expectedOutcome === 'failed').length,
      ).toBeGreaterThan(5);
      expect(
        Math.max(...report.stacks.filter((s) => s.provider === p.provider).map((s) => s.truth)),
      ).toBeGreaterThanOrEqual(40);
      // Every request went through the shared limiter, which kept its promise…
      expect(p.requests).toBe(p.limiterGranted);
      expect(p.maxGrantsPerWindow).toBeLessThanOrEqual(p.clientLimit);
      // …and the server never saw more than its quota in any window.
      expect(p.maxPerWindow, p.provider).toBeLessThanOrEqual(p.quota);
    }
  }, 120_000);
});

describe('soak checks themselves', () => {
  it('maxInWindow counts arrivals in half-open windows [t, t + interval)', () => {
    expect(maxInWindow([], 1000)).toBe(0);
    expect(maxInWindow([0, 999, 1000, 1999], 1000)).toBe(2);
    expect(maxInWindow([0, 1, 2, 999.9, 1000], 1000)).toBe(4);
    expect(maxInWindow([5, 5, 5], 1)).toBe(3);
  });

  it('compare finds duplicates, missing, unexpected and order differences', () => {
    expect(compare(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual({
      duplicates: 0,
      missing: 0,
      unexpected: 0,
      exact: true,
    });
    expect(compare(['a', 'b', 'b', 'c'], ['a', 'b', 'c'])).toMatchObject({ duplicates: 1, exact: false });
    expect(compare(['a', 'c'], ['a', 'b', 'c'])).toMatchObject({ missing: 1, exact: false });
    expect(compare(['a', 'x', 'b', 'c'], ['a', 'b', 'c'])).toMatchObject({ unexpected: 1, exact: false });
    expect(compare(['b', 'a', 'c'], ['a', 'b', 'c'])).toEqual({
      duplicates: 0,
      missing: 0,
      unexpected: 0,
      exact: false,
    });
  });

  it('recordingLimiter notes every grant on the clock reading the limiter decided on', async () => {
    const { limiter, grants } = recordingLimiter(3, 50);
    await Promise.all(Array.from({ length: 7 }, () => limiter.acquire()));
    expect(grants).toHaveLength(7);
    expect(limiter.grantedCount).toBe(7);
    expect(maxInWindow(grants, 50)).toBeLessThanOrEqual(3);
  });
});
