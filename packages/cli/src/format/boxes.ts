// Boxed tables of images, executions and stacks (cli-table3): loaded only when one is printed, so
// that listing or following events does not load cli-table3.
import { stripVTControlCharacters } from 'node:util';
import Table from 'cli-table3';
import type { Deployment, DeploymentOutcome, ExecutionInfo, ImageInfo, StackInfo } from '@stackfeed/core';
import { type Colors, paintPhase, paintState } from './colors.js';
import { short } from './table.js';
import { formatTime, zoneLabel } from './zone.js';

/** Images as a table. */
export function imageTable(images: readonly ImageInfo[], c: Colors, where?: PlaceColumn): string {
  const table = new Table({
    head: placed(
      ['provider', 'id', 'name', 'version', 'state', 'status', `created ${zoneLabel()}`, 'artifacts'],
      where?.head,
    ).map((h) => c.bold(h)),
    style: { head: [], border: [] },
  });
  for (const [i, img] of images.entries()) {
    table.push(
      placed(
        [
          short(img.provider),
          img.id,
          img.name ?? '',
          img.version ?? '',
          paintState(c, img.state),
          img.status,
          formatTime(img.createdAt),
          img.artifacts.map((a) => (a.region ? `${a.id} (${a.region})` : a.id)).join('\n'),
        ],
        where?.values[i],
      ),
    );
  }
  return `${table.toString()}\n`;
}

/** The REGION or CLOUD column of a listing over several places: its heading and one value per row. */
export interface PlaceColumn {
  head: 'region' | 'cloud';
  values: readonly string[];
}

/** A row (or the headings) with the place's cell right after `provider`. */
const placed = (row: string[], cell: string | undefined) =>
  cell === undefined ? row : [row[0] as string, cell, ...row.slice(1)];

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
  row(`created ${zoneLabel()}`, formatTime(img.createdAt));
  row(`updated ${zoneLabel()}`, formatTime(img.updatedAt));
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
    head: ['provider', 'kind', 'id', 'state', 'status', `started ${zoneLabel()}`, `ended ${zoneLabel()}`, 'reason'].map(
      (h) => c.bold(h),
    ),
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
export function stackTable(stacks: readonly StackInfo[], c: Colors, where?: PlaceColumn): string {
  const table = new Table({
    head: placed(['provider', 'name', 'id', 'state', 'status', `updated ${zoneLabel()}`, 'reason'], where?.head).map(
      (h) => c.bold(h),
    ),
    style: { head: [], border: [] },
  });
  for (const [i, st] of stacks.entries()) {
    const row = [
      st.name,
      st.id ?? '',
      paintPhase(c, st.phase, st.state),
      st.status,
      formatTime(st.updatedAt ?? st.createdAt),
    ];
    table.push(placed([short(st.provider), ...row, st.reason ?? ''], where?.values[i]));
  }
  return `${table.toString()}\n`;
}

/** `1h02m`, `3m05s`, `42s`; `?` when the start was pruned or the deployment still runs. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function paintOutcome(c: Colors, outcome: DeploymentOutcome): string {
  switch (outcome) {
    case 'succeeded':
      return c.green(outcome);
    case 'failed':
      return c.bold(c.red(outcome));
    case 'rolled-back':
      return c.red(outcome);
    case 'in-progress':
      return c.yellow(outcome);
    case 'cancelled':
      return c.magenta(outcome);
    default:
      return outcome;
  }
}

/**
 * Deployments as a table: started, duration, action, outcome, root cause (kept whole: wrapped,
 * never cut), id. On a terminal too narrow for both, the id gives way to the root cause (`-o json`
 * has it).
 */
export function deploymentTable(list: readonly Deployment[], c: Colors, columns?: number): string {
  let head = [`started ${zoneLabel()}`, 'duration', 'action', 'outcome', 'id', 'root cause'];
  let rows = list.map((d) => {
    const rc = d.rootCause;
    const where = rc ? [rc.stack.name, rc.resource.logicalId].filter(Boolean).join('/') : '';
    const cause = rc ? `${where}${rc.reason ? `: ${rc.reason}` : ''}` : '';
    return [
      formatTime(d.startedAt),
      formatDuration(d.durationSeconds),
      d.action,
      paintOutcome(c, d.outcome),
      d.id,
      cause,
    ];
  });
  const width = (i: number) =>
    Math.max(
      stripVTControlCharacters(head[i] ?? '').length,
      ...rows.map((r) => stripVTControlCharacters(r[i] ?? '').length),
    ) + 2;
  let colWidths: number[] | undefined;
  if (columns !== undefined) {
    // Each column is its content plus padding, plus one border each and one closing border.
    const fixedOf = (n: number) => Array.from({ length: n }, (_, i) => width(i));
    let fixed = fixedOf(5);
    let rest = columns - fixed.reduce((a, b) => a + b, 0) - head.length - 1;
    if (rest < 30) {
      head = head.filter((_, i) => i !== 4);
      rows = rows.map((r) => r.filter((_, i) => i !== 4));
      fixed = fixedOf(4);
      rest = columns - fixed.reduce((a, b) => a + b, 0) - head.length - 1;
    }
    colWidths = [...fixed, Math.max(12, rest)];
  }
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [] },
    ...(colWidths ? { colWidths, wordWrap: true } : {}),
  });
  for (const r of rows) table.push(r);
  return `${table.toString()}\n`;
}
