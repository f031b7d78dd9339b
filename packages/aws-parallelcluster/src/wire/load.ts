/**
 * The zod schemas (`api.ts`), loaded on first use: importing the adapter, or listing stack events
 * whose pages pass the zod-free reader of `check.ts`, loads no zod (≈ 95 modules, most of an
 * import's cost). Every parse that needs a schema is on an async path, so it awaits this once.
 */
let wire: Promise<typeof import('./api.js')> | undefined;

export type WireSchemas = typeof import('./api.js');

export function loadWire(): Promise<WireSchemas> {
  wire ??= import('./api.js');
  return wire;
}
