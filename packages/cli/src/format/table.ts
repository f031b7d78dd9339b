import type { StackEvent } from '@stackfeed/core';
import { type Colors, paintPhase } from './colors.js';
import { formatTime, zoneLabel } from './zone.js';

export { formatTime, setDisplayZone, zoneLabel } from './zone.js';

/** Short provider labels for tables (each is also accepted on the command line). */
export const SHORT_PROVIDER: Record<string, string> = {
  'openstack-heat': 'heat',
  'huawei-rfs': 'rfs',
  'aws-parallelcluster': 'pcluster',
  'aws-imagebuilder': 'imagebuilder',
};

export const short = (p: string) => SHORT_PROVIDER[p] ?? p;

/** What the resource column shows: `(stack)` for the stack itself, else the template name, display name or physical id. */
export function resourceLabel(ev: StackEvent): string {
  if (ev.isStackEvent) return '(stack)';
  const base = ev.resource.logicalId ?? ev.resource.name ?? ev.resource.physicalId ?? '';
  return ev.resource.key !== undefined ? `${base}[${ev.resource.key}]` : base;
}

/** What the stack column shows. Events of nested stacks show `root/nested`. */
export function stackLabel(ev: StackEvent): string {
  const own = ev.stack.name ?? ev.stack.id ?? '';
  const root = ev.stack.rootName ?? ev.stack.rootId;
  return root && root !== own ? `${root}/${own}` : own;
}

/** The reason column: the provider's message, else its literal status when it says more than action+phase. */
export function reasonLabel(ev: StackEvent): string {
  const m = ev.message?.replace(/\s+/g, ' ').trim();
  if (m) return m;
  return '';
}

/** The event table's columns. */
export const EVENT_COLUMNS = ['time (UTC)', 'provider', 'stack', 'resource', 'action', 'phase', 'reason'] as const;
/** The event columns' headers, with the display zone in the time column's. */
const eventHeaders = (): string[] => [`time ${zoneLabel()}`, ...EVENT_COLUMNS.slice(1)];

function eventCells(ev: StackEvent): string[] {
  return [
    formatTime(ev.timestamp),
    short(ev.provider),
    stackLabel(ev),
    resourceLabel(ev),
    ev.action,
    ev.phase,
    reasonLabel(ev),
  ];
}

const truncate = (s: string, n: number) => (n <= 0 ? '' : s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);

/**
 * Event rows have one style everywhere (a list, a page, a live tail): padded columns, one line an
 * event, no borders. The first six columns get widths; the reason takes the rest of the line.
 */
export interface EventLayout {
  /** Widths of time, provider, stack, resource, action, phase. */
  widths: number[];
  /** The terminal width; undefined when piped (nothing is cut or wrapped then). */
  columns: number | undefined;
}

/** Widths when the rows are not known in advance (a live tail): what typical rows need. */
const STREAM_WIDTHS = [19, 12, 20, 28, 10, 11] as const;
/** The narrowest the stack and resource columns get on a small terminal. */
const MIN_NAME_WIDTH = 12;
/** What the reason column keeps at least, on a terminal. */
const MIN_REASON = 30;
const STACK = 2;
const RESOURCE = 3;

/**
 * Column widths: to the content of `events` when given (a finite list), else typical widths (a
 * live tail); on a terminal the stack and resource columns give way so the reason keeps room,
 * and take spare room on a wide one.
 */
export function eventLayout(events: readonly StackEvent[] | undefined, columns: number | undefined): EventLayout {
  let widths: number[];
  if (events && events.length > 0) {
    const rows = events.map(eventCells);
    widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(eventHeaders()[i]!.length, ...rows.map((r) => r[i]!.length)));
  } else {
    widths = [...STREAM_WIDTHS];
  }
  if (columns) {
    const used = () => widths.reduce((n, w) => n + w + 1, 0);
    // Too wide: the stack and resource columns shrink (their cells are cut with …) before the reason does.
    for (const i of [RESOURCE, STACK]) {
      const over = used() + MIN_REASON - columns;
      if (over > 0) widths[i] = Math.max(MIN_NAME_WIDTH, widths[i]! - over);
    }
    // A live tail on a wide terminal: room for longer stack and resource names.
    if (!events) {
      const spare = columns - used() - 60;
      if (spare > 0) {
        widths[STACK] = widths[STACK]! + Math.floor(spare / 3);
        widths[RESOURCE] = widths[RESOURCE]! + Math.floor(spare / 3);
      }
    }
  }
  return { widths, columns };
}

/** The header line of an event table. */
export function eventStreamHeader(c: Colors, layout: EventLayout = eventLayout(undefined, undefined)): string {
  return `${c.bold(
    eventHeaders()
      .map((h, i) => (i < 6 ? h.padEnd(layout.widths[i]!) : h))
      .join(' '),
  )}\n`;
}

/**
 * One event row: padded columns, the phase colored, failures in red. On a terminal, names longer
 * than their column are cut with …; an ordinary reason is cut at the edge, a FAILED one is wrapped
 * (continuation lines under the reason column) so the failure is read whole. Piped, nothing is cut.
 */
export function eventStreamRow(
  ev: StackEvent,
  c: Colors,
  width?: number,
  layout: EventLayout = eventLayout(undefined, width),
): string {
  const cells = eventCells(ev);
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < 6; i++) {
    const w = layout.widths[i]!;
    const cell = layout.columns && (i === STACK || i === RESOURCE) ? truncate(cells[i]!, w) : cells[i]!;
    const padded = cell.padEnd(w);
    used += padded.length + 1;
    out.push(i === 5 ? paintPhase(c, ev.phase, padded) : i === 1 ? c.dim(padded) : padded);
  }
  const reason = cells[6]!;
  const room = layout.columns ? Math.max(MIN_REASON, layout.columns - used) : undefined;
  if (room === undefined || reason.length <= room) {
    out.push(ev.phase === 'FAILED' ? c.red(reason) : reason);
    return `${out.join(' ').trimEnd()}\n`;
  }
  if (ev.phase !== 'FAILED') {
    out.push(truncate(reason, room));
    return `${out.join(' ').trimEnd()}\n`;
  }
  const lines = wrap(reason, room);
  const indent = ' '.repeat(used);
  out.push(c.red(lines[0]!));
  return `${[out.join(' ').trimEnd(), ...lines.slice(1).map((l) => indent + c.red(l))].join('\n')}\n`;
}

/** Words to lines of at most `width` characters (a word longer than that is split). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A finite list of events: the same rows as a live tail, with columns sized to the content. */
export function eventTable(events: readonly StackEvent[], c: Colors, width?: number): string {
  const layout = eventLayout(events, width);
  return eventStreamHeader(c, layout) + events.map((ev) => eventStreamRow(ev, c, width, layout)).join('');
}
