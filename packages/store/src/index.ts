/**
 * @stackfeed/store: durable history of stack events, images and executions, and watches that
 * resume after a restart. One schema on two engines, the same SQL: embedded PGlite (default, a
 * data directory or `:memory:`) and PostgreSQL (`postgres://…`, for several processes).
 * @packageDocumentation
 */
export {
  openStore,
  Store,
  type OpenStoreOptions,
  type ArchiveOptions,
  type ArchiveResult,
  type BatchInfo,
  type Checkpoint,
  type EventQuery,
  type FeedOptions,
  type FollowOptions,
  type FollowResult,
  type PruneResult,
  type StateChange,
  type StoredExecution,
  type StoredImage,
  type StoredStack,
  type StoredEvent,
  type SubscribeFilter,
  type Subscription,
} from './store.js';
export { defaultDataDir, parseStoreUrl, type Engine, type StoreLocation } from './db.js';
export { SCHEMA_VERSION } from './migrations.js';
export type { Archivable } from './rows.js';
