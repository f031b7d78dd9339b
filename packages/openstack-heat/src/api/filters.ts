import type { EventFilterOptions, Phase, StackEvent } from '@stackfeed/core';
import { StackfeedError } from '@stackfeed/core';
import { applyEventFilters } from '@stackfeed/core/adapter';
import { HEAT_ACTIONS, SERVER_PHASES } from '../mapping/status.js';

/** Heat-specific event options, next to the common filters. */
export interface HeatEventOptions {
  /** `resource_action` filter: CREATE, UPDATE, DELETE, … (server side; several = any of them). */
  resourceAction?: string | readonly string[] | undefined;
  /**
   * Status filter, either the status part (`IN_PROGRESS`, `COMPLETE`, `FAILED`) or the full form
   * every event shows (`CREATE_COMPLETE`); several = any of them. Heat's `resource_status` takes
   * only the status part, so a full form is sent as `resource_action` + `resource_status` and
   * checked exactly here. Anything else is CONFIG. Combined with `phase` and `resourceAction` it is
   * an intersection (Heat would OR repeated `resource_status` values).
   */
  resourceStatus?: string | readonly string[] | undefined;
  /** Include events of nested stacks down to this depth (`nested_depth`, default 0). */
  nestedDepth?: number | undefined;
  /**
   * `oldest-first` (the default) or `newest-first`. Heat sorts on the server either way, so both
   * orders cost the same. Same as `sortDir` `asc` / `desc`.
   */
  order?: 'oldest-first' | 'newest-first' | undefined;
  /** `asc` (oldest first, the default here) or `desc` (newest first, Heat's own default). */
  sortDir?: 'asc' | 'desc' | undefined;
  /** `sort_keys`: Heat honours `event_time` and `resource_type` only. */
  sortKeys?: ReadonlyArray<'event_time' | 'resource_type'> | undefined;
}

/** What one event listing sends to Heat and what it still checks itself. */
export interface EventQuery {
  /** Query parameters for Heat's events URL (without `limit` / `marker`). */
  query: Record<string, unknown>;
  /** The common filters Heat applies exactly (the rest are in `local`). */
  serverSide: Array<keyof EventFilterOptions>;
  /** The checks Heat cannot make, on each event it returns; undefined when Heat did everything. */
  local: ((ev: StackEvent) => boolean) | undefined;
}

const PROVIDER = 'openstack-heat' as const;

interface StatusFilter {
  /** Set for a full form such as `CREATE_COMPLETE`. */
  action?: string;
  status: string;
}

const config = (message: string) => new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message });

function toList<T extends string>(v: T | readonly T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : typeof v === 'string' ? [v] : [...v];
}

/** `COMPLETE` or `CREATE_COMPLETE` → its parts; CONFIG for anything Heat could never match. */
function parseStatusFilter(value: string): StatusFilter {
  const upper = value.trim().toUpperCase();
  for (const status of SERVER_PHASES) {
    if (upper === status) return { status };
    if (upper.endsWith(`_${status}`)) {
      const action = upper.slice(0, -status.length - 1);
      if (Object.hasOwn(HEAT_ACTIONS, action)) return { action, status };
    }
  }
  throw config(
    `resourceStatus ${JSON.stringify(value)} is neither a status (IN_PROGRESS, COMPLETE, FAILED) nor ACTION_STATUS such as CREATE_COMPLETE`,
  );
}

function matchesStatus(literal: string, filters: readonly StatusFilter[]): boolean {
  for (const f of filters) {
    if (f.action ? literal === `${f.action}_${f.status}` : literal.endsWith(`_${f.status}`)) return true;
  }
  return false;
}

/**
 * The query for the common + Heat filters, built so that every combination is an intersection:
 * each Heat parameter ORs its own repeated values and ANDs with the others, so values of one
 * parameter that two options both constrain are intersected here, and what the query cannot say
 * exactly (several full statuses, an empty intersection) is checked on each event.
 */
export function eventQuery(options: EventFilterOptions & HeatEventOptions): EventQuery {
  if (options.nestedDepth !== undefined && (!Number.isInteger(options.nestedDepth) || options.nestedDepth < 0)) {
    throw config('nestedDepth must be a non-negative integer');
  }
  if (options.order !== undefined && options.sortDir !== undefined) {
    if ((options.order === 'newest-first') !== (options.sortDir === 'desc')) {
      throw config(`order ${options.order} contradicts sortDir ${options.sortDir}`);
    }
  }
  const serverSide: Array<keyof EventFilterOptions> = ['resourceName', 'resourceType'];
  const statusFilters = toList(options.resourceStatus)?.map(parseStatusFilter);
  const phases = toList<Phase>(options.phase);
  const actions = toList(options.resourceAction);

  const statusParts = statusFilters && [...new Set(statusFilters.map((f) => f.status))];
  const phaseParts = phases?.every((p) => SERVER_PHASES.has(p)) ? [...new Set<string>(phases)] : undefined;
  let resourceStatus = statusParts ?? phaseParts;
  if (statusParts && phaseParts) {
    const both = statusParts.filter((s) => phaseParts.includes(s));
    // An empty intersection cannot be sent (Heat has no "none"): send the status filter and let the
    // local phase check drop everything.
    if (both.length > 0) resourceStatus = both;
  }
  if (phaseParts && resourceStatus?.every((s) => phaseParts.includes(s))) serverSide.push('phase');

  // Full forms narrow the action on Heat too, unless the caller already chose the actions.
  const fullActions = statusFilters?.every((f) => f.action) ? statusFilters.map((f) => f.action as string) : undefined;
  const resourceAction = actions ?? (fullActions && [...new Set(fullActions)]);

  const common = applyEventFilters(options, serverSide);
  const exactStatus = statusFilters?.some((f) => f.action) ? statusFilters : undefined;
  const local =
    exactStatus === undefined
      ? common
      : (ev: StackEvent) => matchesStatus(ev.status, exactStatus) && (common === undefined || common(ev));

  const newestFirst = options.order === 'newest-first' || options.sortDir === 'desc';
  const query: Record<string, unknown> = {
    resource_action: resourceAction,
    resource_status: resourceStatus,
    resource_name: toList(options.resourceName),
    resource_type: toList(options.resourceType),
    nested_depth: options.nestedDepth || undefined,
    sort_keys: options.sortKeys?.length ? [...options.sortKeys] : undefined,
    // Always explicit: `sort_keys` without `sort_dir` would sort ascending, Heat's default is desc.
    sort_dir: newestFirst ? 'desc' : 'asc',
  };
  return { query, serverSide, local };
}
