import Table from 'cli-table3';
import type { ExecutionInfo, ImageInfo, StackEvent, StackInfo } from '@stackfeed/core';
import { type Colors, paintPhase, paintState } from './colors.js';

/** Short provider labels for tables (each is also accepted on the command line). */
export const SHORT_PROVIDER: Record<string, string> = {
  'openstack-heat': 'heat',
  'huawei-rfs': 'rfs',
  'aws-parallelcluster': 'pcluster',
  'aws-imagebuilder': 'imagebuilder',
};

const short = (p: string) => SHORT_PROVIDER[p] ?? p;

/** `2026-11-23 19:31:32` (UTC), the time column of every table. */
export function formatTime(d: Date | undefined): string {
  if (!d || Number.isNaN(d.getTime())) return '';
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

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

/** A finite list of events as one table (borders, sized to content). */
export function eventTable(events: readonly StackEvent[], c: Colors, width?: number): string {
  const rows = events.map(eventCells);
  const table = new Table({
    head: EVENT_COLUMNS.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    wordWrap: false,
  });
  // Keep within the terminal: the reason column takes what is left.
  const fixed = [0, 1, 2, 3, 4, 5].reduce(
    (n, i) => n + Math.max(EVENT_COLUMNS[i]!.length, ...rows.map((r) => r[i]!.length)) + 3,
    0,
  );
  const room = width ? Math.max(12, width - fixed - 4) : Number.POSITIVE_INFINITY;
  for (const [i, r] of rows.entries()) {
    const ev = events[i]!;
    const cells = r.map((cell, j) => (j === 6 ? truncate(cell, room) : cell));
    cells[5] = paintPhase(c, ev.phase, cells[5]!);
    if (ev.phase === 'FAILED') cells[6] = c.red(cells[6]!);
    table.push(cells);
  }
  return `${table.toString()}\n`;
}

/** Fixed column widths for a live tail, where rows are printed one at a time. */
const STREAM_WIDTHS = [19, 12, 18, 26, 9, 11] as const;

/** The header line of a live tail. */
export function eventStreamHeader(c: Colors): string {
  return `${c.bold(EVENT_COLUMNS.map((h, i) => (i < 6 ? h.padEnd(STREAM_WIDTHS[i]!) : h)).join(' '))}\n`;
}

/** One row of a live tail: padded columns, the phase colored, failures in red. */
export function eventStreamRow(ev: StackEvent, c: Colors, width?: number): string {
  const cells = eventCells(ev);
  const out: string[] = [];
  for (let i = 0; i < 6; i++) {
    const w = STREAM_WIDTHS[i]!;
    // A long stack id is cut (the JSON outputs keep it whole); a long resource name pushes the row.
    const cell = i === 2 ? truncate(cells[i]!, w) : cells[i]!;
    cells[i] = cell;
    const padded = cell.padEnd(w);
    out.push(i === 5 ? paintPhase(c, ev.phase, padded) : i === 1 ? c.dim(padded) : padded);
  }
  const used = out.reduce((n, _s, i) => n + Math.max(STREAM_WIDTHS[i]!, cells[i]!.length) + 1, 0);
  let reason = cells[6]!;
  if (width) reason = truncate(reason, width - used);
  out.push(ev.phase === 'FAILED' ? c.red(reason) : reason);
  return `${out.join(' ').trimEnd()}\n`;
}

/** Images as a table. */
export function imageTable(images: readonly ImageInfo[], c: Colors): string {
  const table = new Table({
    head: ['provider', 'id', 'name', 'version', 'state', 'status', 'created (UTC)', 'artifacts'].map((h) => c.bold(h)),
    style: { head: [], border: [] },
  });
  for (const img of images) {
    table.push([
      short(img.provider),
      img.id,
      img.name ?? '',
      img.version ?? '',
      paintState(c, img.state),
      img.status,
      formatTime(img.createdAt),
      img.artifacts.map((a) => (a.region ? `${a.id} (${a.region})` : a.id)).join('\n'),
    ]);
  }
  return `${table.toString()}\n`;
}

/** One image in detail, as a two-column table (values wrapped to the terminal width, when known). */
export function imageDetail(img: ImageInfo, c: Colors, width?: number): string {
  const valueWidth = Math.max(30, (width ?? 120) - 22);
  const table = new Table({
    style: { head: [], border: [] },
    colWidths: [18, valueWidth],
    wordWrap: true,
    wrapOnWordBoundary: false,
  });
  const row = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') table.push({ [c.bold(k)]: v });
  };
  row('provider', img.provider);
  row('id', img.id);
  row('name', img.name);
  row('version', img.version);
  row('region', img.region);
  row('state', paintState(c, img.state));
  row('status', img.status);
  row('reason', img.reason);
  row('created (UTC)', formatTime(img.createdAt));
  row('updated (UTC)', formatTime(img.updatedAt));
  for (const a of img.artifacts) {
    row(
      `artifact (${a.kind})`,
      [a.id, a.name, a.region, a.architecture, a.state, a.uri].filter((s) => s !== undefined && s !== '').join('  '),
    );
  }
  if (img.stack) {
    row(
      'stack',
      [img.stack.name ?? img.stack.id, img.stack.status, img.stack.reason].filter((s) => s !== undefined).join('  '),
    );
  }
  const tags = Object.entries(img.tags);
  if (tags.length) row('tags', tags.map(([k, v]) => `${k}=${v}`).join('\n'));
  return `${table.toString()}\n`;
}

/** Executions as a table. */
export function executionTable(execs: readonly ExecutionInfo[], c: Colors): string {
  const table = new Table({
    head: ['provider', 'kind', 'id', 'state', 'status', 'started (UTC)', 'ended (UTC)', 'reason'].map((h) => c.bold(h)),
    style: { head: [], border: [] },
  });
  for (const ex of execs) {
    table.push([
      short(ex.provider),
      ex.kind,
      ex.id,
      paintState(c, ex.state),
      ex.status,
      formatTime(ex.startedAt),
      formatTime(ex.endedAt),
      ex.reason ?? '',
    ]);
  }
  return `${table.toString()}\n`;
}

/** Stacks as a table. */
export function stackTable(stacks: readonly StackInfo[], c: Colors): string {
  const table = new Table({
    head: ['provider', 'name', 'id', 'state', 'status', 'updated (UTC)', 'reason'].map((h) => c.bold(h)),
    style: { head: [], border: [] },
  });
  for (const st of stacks) {
    table.push([
      short(st.provider),
      st.name,
      st.id ?? '',
      paintPhase(c, st.phase, st.state),
      st.status,
      formatTime(st.updatedAt ?? st.createdAt),
      st.reason ?? '',
    ]);
  }
  return `${table.toString()}\n`;
}
