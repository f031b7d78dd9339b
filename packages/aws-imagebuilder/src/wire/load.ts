/**
 * The zod schemas (`schemas.ts`), loaded on first use: importing the adapter, or reading lifecycle
 * resource pages that pass the zod-free guard of `guards.ts`, loads no zod (≈ 95 modules). Every
 * parse that needs a schema is on an async path (`ImageBuilderApi.send`), so it awaits this once.
 */
let schemas: Promise<WireSchemas> | undefined;

export type WireSchemas = typeof import('./schemas.js');

export function loadSchemas(): Promise<WireSchemas> {
  schemas ??= import('./schemas.js');
  return schemas;
}
