/**
 * The zod schemas (`schemas.ts`), loaded on first use: importing the adapter, or listing pages that
 * pass the zod-free page check of `check.ts`, loads no zod (≈ 95 modules, most of an import's
 * cost). Every parse that needs a schema is on an async path, so it awaits this once.
 */
let schemas: Promise<typeof import('./schemas.js')> | undefined;

export function loadSchemas(): Promise<typeof import('./schemas.js')> {
  schemas ??= import('./schemas.js');
  return schemas;
}
