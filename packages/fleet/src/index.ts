/**
 * @stackfeed/fleet: follow everything in many accounts, regions and projects. Workers (in one
 * process, or in several processes and machines) share the targets through the store's database:
 * a lease per target (`FOR UPDATE SKIP LOCKED`, heartbeat every TTL/3, taken over when it
 * expires, resumed from the store's checkpoint), one request budget per provider account and
 * region, discovery of the places named in `stackfeed.yaml`, and NOTIFY to wake idle workers.
 * @packageDocumentation
 */
export { SharedBudget, budgetUsage, readBudgets, type BudgetOptions, type BudgetState } from './budget.js';
export {
  DEFAULT_BUDGET,
  PROVIDER_KINDS,
  loadFleetConfig,
  parseFleetConfig,
  validateFleetConfig,
  type ConfigIssue,
  type FleetConfig,
  type FleetSettings,
  type Place,
  type PlaceFilters,
} from './config.js';
export {
  Fleet,
  openFleet,
  reviveTarget,
  targetKey,
  type FleetError,
  type FleetStatus,
  type FleetTarget,
  type OpenFleetOptions,
  type PlaceStatus,
  type TargetStatus,
  type WorkerStatus,
} from './fleet.js';
export { FLEET_SCHEMA_VERSION } from './schema.js';
export {
  FleetWorker,
  type DiscoverFn,
  type FleetContext,
  type FollowFn,
  type FailureReport,
  type WorkerEvent,
  type WorkerOptions,
} from './worker.js';
