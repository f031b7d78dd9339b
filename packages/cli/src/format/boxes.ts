// Boxed tables of images, executions and stacks (cli-table3): loaded only when one is printed, so
// that listing or following events does not load cli-table3.
import Table from 'cli-table3';
import type { ExecutionInfo, ImageInfo, StackInfo } from '@stackfeed/core';
import { type Colors, paintPhase, paintState } from './colors.js';
import { short } from './table.js';
import { formatTime, zoneLabel } from './zone.js';

/** Images as a table. */
export function imageTable(images: readonly ImageInfo[], c: Colors): string {
  const table = new Table({
    head: ['provider', 'id', 'name', 'version', 'state', 'status', `created ${zoneLabel()}`, 'artifacts'].map((h) =>
      c.bold(h),
    ),
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
export function stackTable(stacks: readonly StackInfo[], c: Colors): string {
  const table = new Table({
    head: ['provider', 'name', 'id', 'state', 'status', `updated ${zoneLabel()}`, 'reason'].map((h) => c.bold(h)),
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
