import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** `<repo>/../shared/specs/` (CI has shared/ next to the clone). */
export const SPECS = fileURLToPath(new URL('../../../../shared/specs/', import.meta.url));

type Json = Record<string, unknown>;

let openapi: Json | undefined;
/** The official ParallelCluster OpenAPI spec, parsed. */
export function parallelClusterSpec(): Json {
  openapi ??= parse(readFileSync(`${SPECS}parallelcluster/ParallelCluster.openapi.yaml`, 'utf8')) as Json;
  return openapi;
}

/** An enum of the ParallelCluster spec's components.schemas. */
export function pcEnum(name: string): string[] {
  const schemas = (parallelClusterSpec().components as Json).schemas as Record<string, { enum?: string[] }>;
  const values = schemas[name]?.enum;
  if (!values || values.length === 0) throw new Error(`no enum ${name} in the ParallelCluster spec`);
  return values;
}

/** An enum of a botocore service model (`cloudformation/service-2.json`, …). */
export function modelEnum(file: string, shape: string): string[] {
  const model = JSON.parse(readFileSync(`${SPECS}${file}`, 'utf8')) as { shapes: Record<string, { enum?: string[] }> };
  const values = model.shapes[shape]?.enum;
  if (!values || values.length === 0) throw new Error(`no enum ${shape} in ${file}`);
  return values;
}
