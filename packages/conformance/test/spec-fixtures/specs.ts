/**
 * Readers of the official specs in `../shared/specs/` (read at test time, never copied): enums and
 * required members of the botocore models (CloudFormation, Image Builder), the ParallelCluster
 * OpenAPI spec, the Heat api-ref parameters and the Huawei RFS SDK enums. Everything the contract
 * suite knows about a provider's vocabulary or shapes comes from here, not from a client's tables.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** `<repo>/../shared/specs/` (CI has shared/ next to the clone). */
export const SPECS = fileURLToPath(new URL('../../../../../shared/specs/', import.meta.url));

type Json = Record<string, unknown>;

const cache = new Map<string, unknown>();
function load<T>(file: string, read: (text: string) => unknown): T {
  if (!cache.has(file)) cache.set(file, read(readFileSync(`${SPECS}${file}`, 'utf8')));
  return cache.get(file) as T;
}

// ------------------------------------------------------------------------------------------
// botocore models

interface BotoShape {
  type: string;
  enum?: string[];
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
}

function botoShapes(service: 'cloudformation' | 'imagebuilder'): Record<string, BotoShape> {
  return load<{ shapes: Record<string, BotoShape> }>(`${service}/service-2.json`, JSON.parse).shapes;
}

/** An enum of a botocore model. */
export function botoEnum(service: 'cloudformation' | 'imagebuilder', shape: string): string[] {
  const values = botoShapes(service)[shape]?.enum;
  if (!values?.length) throw new Error(`no enum ${shape} in ${service}`);
  return values;
}

/** The required members of a botocore structure, and all of its members with their shape names. */
export function botoStructure(
  service: 'cloudformation' | 'imagebuilder',
  shape: string,
): { required: string[]; members: Record<string, string> } {
  const s = botoShapes(service)[shape];
  if (!s?.members) throw new Error(`no structure ${shape} in ${service}`);
  return {
    required: s.required ?? [],
    members: Object.fromEntries(Object.entries(s.members).map(([k, v]) => [k, v.shape])),
  };
}

/** The shape of a structure member (following lists to their element). */
export function botoMemberShape(service: 'cloudformation' | 'imagebuilder', shape: string, member: string): string {
  const name = botoStructure(service, shape).members[member];
  if (!name) throw new Error(`no member ${shape}.${member} in ${service}`);
  const s = botoShapes(service)[name] as BotoShape;
  return s.type === 'list' && s.member ? s.member.shape : name;
}

/** The botocore type of a shape (`string`, `timestamp`, `structure`, …). */
export function botoType(service: 'cloudformation' | 'imagebuilder', shape: string): string {
  const s = botoShapes(service)[shape];
  if (!s) throw new Error(`no shape ${shape} in ${service}`);
  return s.type;
}

// ------------------------------------------------------------------------------------------
// ParallelCluster OpenAPI

interface OpenApiSchema {
  type?: string;
  enum?: string[];
  required?: string[];
  properties?: Record<string, Json>;
}

function pcSchemas(): Record<string, OpenApiSchema> {
  const spec = load<Json>('parallelcluster/ParallelCluster.openapi.yaml', parseYaml);
  return (spec.components as Json).schemas as Record<string, OpenApiSchema>;
}

/** An enum of the ParallelCluster spec's components.schemas. */
export function pcEnum(name: string): string[] {
  const values = pcSchemas()[name]?.enum;
  if (!values?.length) throw new Error(`no enum ${name} in the ParallelCluster spec`);
  return values;
}

/** A schema of the ParallelCluster spec (required members and property names). */
export function pcSchema(name: string): { required: string[]; properties: string[] } {
  const s = pcSchemas()[name];
  if (!s?.properties) throw new Error(`no schema ${name} in the ParallelCluster spec`);
  return { required: s.required ?? [], properties: Object.keys(s.properties) };
}

// ------------------------------------------------------------------------------------------
// OpenStack Heat api-ref

const backticked = (text: string) => [...text.matchAll(/``([A-Z_]+)``/g)].map((m) => m[1] as string);

/**
 * Heat's resource status vocabulary as its api-ref documents it: every resource action
 * (`resource_action_query`) × every status (`resource_status_query`), e.g. `CREATE_IN_PROGRESS`.
 */
export function heatStatuses(): string[] {
  const p = load<Record<string, { description?: string }>>('heat-apiref/parameters.yaml', parseYaml);
  const actions = backticked(p.resource_action_query?.description ?? '');
  const statuses = backticked(p.resource_status_query?.description ?? '');
  if (actions.length < 5 || statuses.length !== 3) throw new Error('Heat api-ref vocabulary not found');
  return actions.flatMap((a) => statuses.map((s) => `${a}_${s}`));
}

/** The statuses alone (`IN_PROGRESS`, `COMPLETE`, `FAILED`) that `resource_status` accepts. */
export function heatStatusParts(): string[] {
  const p = load<Record<string, { description?: string }>>('heat-apiref/parameters.yaml', parseYaml);
  return backticked(p.resource_status_query?.description ?? '');
}

/** One event of the api-ref's `events-list-response.json` sample (the list's summary shape). */
export function heatListEventSample(): Json {
  const s = load<{ events: Json[] }>('heat-apiref/samples/events-list-response.json', JSON.parse);
  return structuredClone(s.events[0] as Json);
}

/** The api-ref's `stack-show-response.json` sample (GET /stacks/{name}/{id}). */
export function heatStackShowSample(): Json {
  return structuredClone(load<Json>('heat-apiref/samples/stack-show-response.json', JSON.parse));
}

/** Whether the api-ref says a body member is required. */
export function heatBodyRequired(name: string): boolean {
  const p = load<Record<string, { in?: string; required?: boolean }>>('heat-apiref/parameters.yaml', parseYaml);
  const entry = p[name] ?? p[`event_${name}`];
  return entry?.required === true;
}

// ------------------------------------------------------------------------------------------
// Huawei RFS (SDK model enums; the SDK marks every StackEvent member optional, `omitempty`)

export function rfsEnums(): { eventTypes: string[]; stackStatuses: string[] } {
  const e = load<{ stack_event_event_type: string[]; stack_status: string[] }>('huawei-rfs/enums.json', JSON.parse);
  return { eventTypes: e.stack_event_event_type, stackStatuses: e.stack_status };
}

/** The constructed (shape-only) ListStackEvents example: every StackEvent member appears in it. */
export function rfsEventsExample(): { stack_events: Json[] } {
  return structuredClone(load('huawei-rfs/list-stack-events-response.example.json', JSON.parse));
}

/**
 * A minimal instance of a ParallelCluster schema: only required properties, recursively, with
 * placeholder values of the declared type (an enum's first value, an ISO date-time for
 * `format: date-time`). `overrides` replace top-level properties.
 */
export function pcMinimalInstance(name: string, overrides: Json = {}): Json {
  const schemas = pcSchemas() as Record<string, Json>;
  const build = (s: Json, depth: number): unknown => {
    if (typeof s.$ref === 'string') return build(schemas[s.$ref.split('/').pop() as string] as Json, depth);
    if (depth > 8) return undefined;
    if (Array.isArray(s.enum)) return s.enum[0];
    switch (s.type) {
      case 'object': {
        const out: Json = {};
        const props = (s.properties ?? {}) as Record<string, Json>;
        for (const k of (s.required ?? []) as string[]) out[k] = build(props[k] ?? {}, depth + 1);
        return out;
      }
      case 'array':
        return [build((s.items ?? {}) as Json, depth + 1)];
      case 'integer':
      case 'number':
        return 1;
      case 'boolean':
        return false;
      default:
        return s.format === 'date-time' ? '2026-01-15T12:00:00.000Z' : 'x';
    }
  };
  const schema = schemas[name];
  if (!schema) throw new Error(`no schema ${name} in the ParallelCluster spec`);
  return { ...(build(schema, 0) as Json), ...overrides };
}
