/**
 * Writes docs/providers/mapping.md: every provider status → normalized action/phase/state, read
 * from the adapters' own exported tables (the data the code maps with), so the doc is the code.
 * `test/mapping-doc.test.ts` fails when the committed file differs from what this prints.
 *
 *   pnpm exec tsx --conditions=@stackfeed/source packages/cli/scripts/mapping-doc.ts > docs/providers/mapping.md
 */
import * as imagebuilder from '@stackfeed/aws-imagebuilder';
import { ACTIONS, EXECUTION_STATES, IMAGE_STATES, PHASES, PROVIDER_IDS, STACK_STATES } from '@stackfeed/core';
import * as pcluster from '@stackfeed/aws-parallelcluster';
import * as rfs from '@stackfeed/huawei-rfs';
import * as heat from '@stackfeed/openstack-heat';

type Module = Record<string, unknown>;

interface Section {
  title: string;
  module: Module;
  exportName: string;
  literal: string;
  note?: string;
}

/** The entries of a core StatusTable (`{ entries, fallback }`) or of a plain record. */
function entriesOf(v: unknown): { entries: Record<string, unknown>; fallback?: unknown } | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (o.entries && typeof o.entries === 'object')
    return { entries: o.entries as Record<string, unknown>, fallback: o.fallback };
  return { entries: o };
}

const cell = (v: unknown) => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A markdown table (columns aligned, as Biome formats them): literal, then one column per field of the mapped value (or one "maps to"). */
export function table(
  entries: Record<string, unknown>,
  literal: string,
  valueHeader = 'maps to',
  codeKeys = true,
): string {
  const rows = Object.entries(entries);
  const fields = new Set<string>();
  for (const [, v] of rows) if (v && typeof v === 'object') for (const k of Object.keys(v)) fields.add(k);
  const cols = fields.size ? [...fields] : [valueHeader];
  const grid = [
    [literal, ...cols],
    ...rows.map(([k, v]) => [
      codeKeys ? `\`${k}\`` : k,
      ...(fields.size ? cols.map((c) => cell((v as Record<string, unknown>)[c])) : [cell(v)]),
    ]),
  ];
  const widths = grid[0]!.map((_, c) => Math.max(3, ...grid.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: string[]) => `| ${r.map((x, c) => x + ' '.repeat(widths[c]! - [...x].length)).join(' | ')} |`;
  return [line(grid[0]!), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...grid.slice(1).map(line)].join('\n');
}

function heatStatuses(): string {
  const actions = Object.keys((heat as Module).HEAT_ACTIONS as Record<string, string>);
  const phases = Object.keys((heat as Module).HEAT_PHASES as Record<string, string>);
  const rows: Record<string, unknown> = {};
  for (const a of actions) {
    for (const p of phases) {
      const literal = `${a}_${p}`;
      rows[literal] = { ...heat.mapHeatStatus(literal), 'stack state': heat.stackStateOf(literal) };
    }
  }
  return table(rows, 'Heat `resource_status` / `stack_status`');
}

const SECTIONS: Section[] = [
  { title: 'Huawei Cloud RFS: event types', module: rfs, exportName: 'EVENT_TYPE_TABLE', literal: 'RFS `event_type`' },
  {
    title: 'Huawei Cloud RFS: stack status',
    module: rfs,
    exportName: 'STACK_STATUS_TABLE',
    literal: 'RFS stack `status`',
  },
  {
    title: 'AWS ParallelCluster: CloudFormation stack and resource status',
    module: pcluster,
    exportName: 'CFN_STATUS_ENTRIES',
    literal: 'CloudFormation `ResourceStatus`',
  },
  {
    title: 'AWS ParallelCluster: stack state',
    module: pcluster,
    exportName: 'STACK_STATE_ENTRIES',
    literal: '`StackStatus`',
  },
  {
    title: 'AWS ParallelCluster: image build status',
    module: pcluster,
    exportName: 'IMAGE_BUILD_STATUS_ENTRIES',
    literal: '`imageBuildStatus`',
  },
  {
    title: 'AWS ParallelCluster: Image Builder image status (direct mode)',
    module: pcluster,
    exportName: 'IMAGEBUILDER_STATUS_ENTRIES',
    literal: 'Image Builder `state.status`',
  },
  {
    title: 'AWS ParallelCluster: AMI state',
    module: pcluster,
    exportName: 'AMI_STATE_ENTRIES',
    literal: 'EC2 `State`',
  },
  {
    title: 'AWS ParallelCluster: cluster status',
    module: pcluster,
    exportName: 'CLUSTER_STATUS_ENTRIES',
    literal: '`clusterStatus`',
  },
  {
    title: 'EC2 Image Builder: lifecycle execution state',
    module: imagebuilder,
    exportName: 'LIFECYCLE_EXECUTION_STATES',
    literal: '`lifecycleExecution.state.status`',
  },
  {
    title: 'EC2 Image Builder: lifecycle resource action',
    module: imagebuilder,
    exportName: 'LIFECYCLE_ACTIONS',
    literal: '`action.type`',
  },
  {
    title: 'EC2 Image Builder: lifecycle resource state',
    module: imagebuilder,
    exportName: 'LIFECYCLE_RESOURCE_PHASES',
    literal: '`state.status`',
  },
  {
    title: 'EC2 Image Builder: image state',
    module: imagebuilder,
    exportName: 'IMAGE_STATES_TABLE',
    literal: '`state.status`',
  },
  {
    title: 'EC2 Image Builder: workflow execution state',
    module: imagebuilder,
    exportName: 'WORKFLOW_EXECUTION_STATES',
    literal: 'workflow `status`',
  },
  {
    title: 'EC2 Image Builder: workflow type',
    module: imagebuilder,
    exportName: 'WORKFLOW_TYPE_ACTIONS',
    literal: 'workflow `type`',
  },
  {
    title: 'EC2 Image Builder: workflow step status',
    module: imagebuilder,
    exportName: 'WORKFLOW_STEP_PHASES',
    literal: 'step `status`',
  },
  {
    title: 'EC2 Image Builder: workflow step rollback status',
    module: imagebuilder,
    exportName: 'WORKFLOW_STEP_ROLLBACK_PHASES',
    literal: 'step `rollbackStatus`',
  },
];

/** The whole document. */
export function mappingDoc(): string {
  const parts = [
    '# Status mapping: every provider status → the normalized model',
    '',
    'Generated from the tables the adapters map with (`packages/cli/scripts/mapping-doc.ts`); a test',
    'fails when this file and the code disagree. A literal not listed maps to `UNKNOWN` (its text kept',
    'in `status`), never to an error. Phases: `IN_PROGRESS`, `COMPLETE`, `FAILED`, `SKIPPED`,',
    '`CANCELLED`, `INFO`, `UNKNOWN`.',
    '',
    '## The normalized vocabularies',
    '',
    "Every record carries the normalized value and, next to it, the provider's literal `status`.",
    '',
    table(
      {
        'provider (every record)': PROVIDER_IDS.join(', '),
        'StackEvent.action, StackInfo.action': ACTIONS.join(', '),
        'StackEvent.phase, StackInfo.phase': PHASES.join(', '),
        'StackInfo.state': STACK_STATES.join(', '),
        'ImageInfo.state': IMAGE_STATES.join(', '),
        'ExecutionInfo.state': EXECUTION_STATES.join(', '),
      },
      'field',
      'values',
      false,
    ),
    '',
    '## OpenStack Heat: resource and stack status',
    '',
    'Heat statuses are `<ACTION>_<STATUS>`; every combination:',
    '',
    heatStatuses(),
  ];
  for (const s of SECTIONS) {
    const e = entriesOf(s.module[s.exportName]);
    parts.push('', `## ${s.title}`, '', `From \`${s.exportName}\`.`, '');
    if (!e) {
      parts.push('(not exported by this version of the adapter)');
      continue;
    }
    parts.push(table(e.entries, s.literal));
    if (e.fallback !== undefined) parts.push('', `Anything else: \`${cell(e.fallback)}\`.`);
  }
  return `${parts.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(mappingDoc());
