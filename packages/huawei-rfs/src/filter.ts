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

/**
 * Attributes `field` can select. The official ListStackEvents document lists `timestamp` for the
 * event time while every SDK model names the response attribute `time`; both names are accepted
 * and sent as given, and the time is read from whichever attribute the response carries.
 * `event_type` is always returned, selected or not.
 */
export const RFS_EVENT_FIELDS = [
  'elapsed_seconds',
  'event_message',
  'resource_id_key',
  'resource_id_value',
  'resource_key',
  'resource_type',
  'resource_name',
  'timestamp',
  'time',
] as const;
/** An attribute name for the `field` parameter. */
export type RfsEventField = (typeof RFS_EVENT_FIELDS)[number];

/** The names of the event time attribute: the document's and the SDK models'. */
const TIME_FIELDS: readonly RfsEventField[] = ['timestamp', 'time'];

/** The filter grammar allows only letters, digits and `_` in names and values. */
const TOKEN = /^[A-Za-z0-9_]+$/;
/** The longest `filter` RFS accepts (ListStackEvents request model: 0..512 characters). */
export const FILTER_MAX_CHARS = 512;
const FIELD_MAX = 128;

const list = <T>(v: T | readonly T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? [...(v as readonly T[])] : [v as T];

function configError(message: string): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: 'huawei-rfs', operation: 'listStackEvents', message });
}

/**
 * True when `value` can be written into an RFS filter.
 * @internal
 */
export function isFilterValue(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * Build the `filter` string, or undefined when there is nothing to filter on. A value the grammar
 * forbids (anything but letters, digits, `_`; a `;` would even make the service ignore the whole
 * filter) or a filter longer than RFS accepts is a CONFIG error, raised before any request.
 * @internal
 */
export function buildFilter(filter: RfsEventFilter | undefined): string | undefined {
  const out = formatFilter(filter);
  if (out !== undefined && out.length > FILTER_MAX_CHARS) {
    throw configError(`filter is ${out.length} characters; RFS accepts at most ${FILTER_MAX_CHARS}`);
  }
  return out;
}

/** The `filter` string without the length check (throws CONFIG on a value the grammar forbids). */
export function formatFilter(filter: RfsEventFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const clauses: string[] = [];
  const add = (param: string, given: RfsEventFilter[keyof RfsEventFilter]) => {
    if (given === undefined) return;
    const uniq = [...new Set(list(given))];
    // An empty OR-list would match nothing; sent as no clause it would match everything.
    if (uniq.length === 0) throw configError(`filter ${param}: an empty list of values matches no event`);
    for (const v of uniq) {
      if (typeof v !== 'string' || !TOKEN.test(v)) {
        throw configError(
          `filter ${param}: ${JSON.stringify(v)} cannot be sent to RFS (filter values may contain only letters, digits and _)`,
        );
      }
    }
    clauses.push(uniq.map((v) => `${param}==${v}`).join('|'));
  };
  add('event_type', filter.eventType);
  add('resource_type', filter.resourceType);
  add('resource_name', filter.resourceName);
  return clauses.length === 0 ? undefined : clauses.join(',');
}

/** What {@link buildField} gives back. */
export interface FieldSelection {
  /** The `field` parameter: exactly the attributes selected, in the order given, nothing added. */
  field: string;
  /** The wire attributes the response can carry (`event_type` always; both time names for either). */
  returned: ReadonlySet<string>;
}

/**
 * Build the `field` parameter, or undefined when every attribute is wanted. Only the attributes
 * the caller selected are sent. A selection without the event time is a CONFIG error: every
 * StackEvent carries its real time, and stackfeed never adds an attribute the caller left out.
 * @internal
 */
export function buildField(fields: readonly RfsEventField[] | undefined): FieldSelection | undefined {
  if (fields === undefined) return undefined;
  if (!Array.isArray(fields) || fields.length === 0) {
    throw configError('fields must be a non-empty list of RFS event attributes (omit it for all attributes)');
  }
  const set = new Set<string>();
  for (const f of fields) {
    if (!(RFS_EVENT_FIELDS as readonly string[]).includes(f)) {
      throw configError(`field ${JSON.stringify(f)} is not an RFS event attribute (${RFS_EVENT_FIELDS.join(', ')})`);
    }
    set.add(f);
  }
  if (!TIME_FIELDS.some((t) => set.has(t))) {
    throw configError(
      "fields must include 'timestamp' (the event time; 'time' is accepted too): every event carries its time",
    );
  }
  const field = [...set].join(',');
  if (field.length > FIELD_MAX)
    throw configError(`field is ${field.length} characters; RFS accepts at most ${FIELD_MAX}`);
  const returned = new Set<string>(set);
  returned.add('event_type');
  for (const t of TIME_FIELDS) returned.add(t);
  return { field, returned };
}
