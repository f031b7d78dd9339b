/**
 * @stackfeed/core/schemas: zod schemas of the normalized model, to validate what crosses a process
 * boundary (NDJSON from the CLI, Server-Sent Events in a dashboard): dates are coerced from ISO
 * strings, and unknown enum values fall back to `UNKNOWN` instead of failing. An entry of its own
 * so that `import '@stackfeed/core'` does not load zod.
 * @packageDocumentation
 */
export {
  PhaseSchema,
  ActionSchema,
  ImageStateSchema,
  ExecutionStateSchema,
  StackStateSchema,
  StackEventSchema,
  ImageArtifactSchema,
  ImageInfoSchema,
  ExecutionInfoSchema,
  StackInfoSchema,
} from './models/schemas.js';
