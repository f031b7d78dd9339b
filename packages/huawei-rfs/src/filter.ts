import { StackfeedError } from '@stackfeed/core';
import type { RfsEventType } from './mapping/tables.js';

/**
 * The server-side `filter` of ListStackEvents, typed. Each key becomes one AND-clause; several
 * values of one key become OR-terms (`event_type==ERROR|event_type==DRIFT,resource_type==x`).
 */
export interface RfsEventFilter {
  eventType?: RfsEventType | readonly RfsEventType[] | undefined;
  resourceType?: string | readonly string[] | undefined;
  resourceName?: string | readonly string[] | undefined;
}

/** Attributes `field` can select (`event_type` is always returned; `time` is always requested). */
export const RFS_EVENT_FIELDS = [
  'elapsed_seconds',
  'event_message',
  'resource_id_key',
  'resource_id_value',
  'resource_key',
  'resource_type',
  'resource_name',
  'time',
] as const;
/** An attribute name for the `field` parameter. */
export type RfsEventField = (typeof RFS_EVENT_FIELDS)[number];

/** The filter grammar allows only letters, digits and `_` in names and values. */
const TOKEN = /^[A-Za-z0-9_]+$/;
const FILTER_MAX = 512;
const FIELD_MAX = 128;

const list = <T>(v: T | readonly T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? [...(v as readonly T[])] : [v as T];

function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: 'huawei-rfs', operation: 'listStackEvents', message });
}

/** True when `value` can be written into an RFS filter. */
export function isFilterValue(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * Build the `filter` string, or undefined when there is nothing to filter on. A value the grammar
 * forbids (anything but letters, digits, `_`; a `;` would even make the service ignore the whole
 * filter) is a CONFIG error, raised before any request.
 */
export function buildFilter(filter: RfsEventFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const clauses: string[] = [];
  const add = (param: string, values: string[]) => {
    const uniq = [...new Set(values)];
    if (uniq.length === 0) return;
    for (const v of uniq) {
      if (typeof v !== 'string' || !TOKEN.test(v)) {
        throw configError(
          `filter ${param}: ${JSON.stringify(v)} cannot be sent to RFS (filter values may contain only letters, digits and _)`,
        );
      }
    }
    clauses.push(uniq.map((v) => `${param}==${v}`).join('|'));
  };
  add('event_type', list(filter.eventType));
  add('resource_type', list(filter.resourceType));
  add('resource_name', list(filter.resourceName));
  if (clauses.length === 0) return undefined;
  const out = clauses.join(',');
  if (out.length > FILTER_MAX)
    throw configError(`filter is ${out.length} characters; RFS accepts at most ${FILTER_MAX}`);
  return out;
}

/** Build the `field` string; `time` is always included because every event needs its timestamp. */
export function buildField(fields: readonly RfsEventField[] | undefined): string | undefined {
  if (!fields || fields.length === 0) return undefined;
  const set = new Set<string>();
  for (const f of fields) {
    if (!(RFS_EVENT_FIELDS as readonly string[]).includes(f)) {
      throw configError(`field ${JSON.stringify(f)} is not an RFS event attribute (${RFS_EVENT_FIELDS.join(', ')})`);
    }
    set.add(f);
  }
  set.add('time');
  const out = [...set].join(',');
  if (out.length > FIELD_MAX) throw configError(`field is ${out.length} characters; RFS accepts at most ${FIELD_MAX}`);
  return out;
}
