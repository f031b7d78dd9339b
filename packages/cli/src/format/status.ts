import type { StackEvent } from '@stackfeed/core';
import type { CliWriter } from '../io.js';
import type { Colors } from './colors.js';

/** Counts of a follow: events seen, and resources by the phase of their latest event. */
export class FollowStats {
  events = 0;
  failedEvents = 0;
  private readonly latest = new Map<string, StackEvent['phase']>();
  readonly startedAt: number;

  constructor(now: number = Date.now()) {
    this.startedAt = now;
  }

  add(ev: StackEvent): void {
    this.events++;
    if (ev.phase === 'FAILED') this.failedEvents++;
    if (ev.isStackEvent || ev.phase === 'INFO' || ev.phase === 'UNKNOWN') return;
    // Heat and CloudFormation name the stack's own events after the stack.
    if (ev.resource.logicalId !== undefined && ev.resource.logicalId === ev.stack.name) return;
    const res = ev.resource.logicalId ?? ev.resource.name ?? ev.resource.physicalId;
    if (res === undefined) return;
    const key = `${ev.provider}\u0000${ev.stack.id ?? ev.stack.name ?? ''}\u0000${res}\u0000${ev.resource.key ?? ''}`;
    this.latest.set(key, ev.phase);
  }

  /** Resources by the phase of their latest event. */
  get resources(): { inProgress: number; complete: number; failed: number } {
    let inProgress = 0;
    let complete = 0;
    let failed = 0;
    for (const p of this.latest.values()) {
      if (p === 'IN_PROGRESS') inProgress++;
      else if (p === 'FAILED' || p === 'CANCELLED') failed++;
      else complete++;
    }
    return { inProgress, complete, failed };
  }

  elapsed(now: number = Date.now()): string {
    return formatElapsed(now - this.startedAt);
  }
}

/** `4.2s`, `1m05s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The one-line summary: `12.3s · 42 events · resources: 2 in progress, 10 complete, 1 failed`. */
export function statusText(stats: FollowStats, c: Colors, label = '', now: number = Date.now()): string {
  const r = stats.resources;
  const failed = r.failed > 0 ? c.red(`${r.failed} failed`) : `${r.failed} failed`;
  return (
    `${label ? `${label} · ` : ''}${stats.elapsed(now)} · ${stats.events} events · resources: ` +
    `${c.yellow(`${r.inProgress} in progress`)}, ${c.green(`${r.complete} complete`)}, ${failed}`
  );
}

/**
 * A live status line at the bottom of a terminal (stderr). Rows printed to stdout go above it:
 * call `clear()` before writing one and `draw()` after. Does nothing when stderr is not a terminal.
 */
export class StatusLine {
  private timer: ReturnType<typeof setInterval> | undefined;
  private shown = false;
  readonly enabled: boolean;

  constructor(
    private readonly out: CliWriter,
    private readonly render: () => string,
    enabled = out.isTTY === true,
  ) {
    this.enabled = enabled;
    if (this.enabled) {
      this.timer = setInterval(() => this.draw(), 500);
      this.timer.unref?.();
    }
  }

  draw(): void {
    if (!this.enabled) return;
    let line = this.render();
    const cols = this.out.columns;
    // Keep it on one line: a wrapped status line cannot be cleared.
    if (cols && visibleLength(line) >= cols) line = stripAnsi(line).slice(0, cols - 2);
    this.out.write(`\r\x1b[2K${line}`);
    this.shown = true;
  }

  clear(): void {
    if (this.enabled && this.shown) {
      this.out.write('\r\x1b[2K');
      this.shown = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, '');
const visibleLength = (s: string) => stripAnsi(s).length;
