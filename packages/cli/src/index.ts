/**
 * @stackfeed/cli: the `stackfeed` command. `run()` runs it in-process (tests, tools); the
 * provider plugin types let a tool add a provider or replace one.
 * @packageDocumentation
 */
export { run, type RunOptions } from './run.js';
export { BufferWriter, type CliIO, type CliWriter } from './io.js';
export { EXIT, UsageError, formatError } from './errors.js';
export {
  RECORD_SCHEMA_VERSION,
  eventRecord,
  imageRecord,
  executionRecord,
  stackRecord,
  resultRecord,
} from './format/records.js';
export { BUILTIN_PROVIDERS, type ProviderEntry } from './providers/registry.js';
export type {
  ProviderPlugin,
  ProviderSession,
  ProviderContext,
  EventListQuery,
  EventFollowQuery,
  DemoRun,
  EmulatorRun,
} from './providers/types.js';
