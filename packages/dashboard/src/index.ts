/**
 * @stackfeed/dashboard: the dashboard's HTTP server on the store. Every followed stack, image
 * and execution with its state and error (`/api/inventory`), the stored events with filters and
 * search (`/api/events`), deployments with their root cause (`/api/deployments`), and a
 * Server-Sent Events stream that resumes after `Last-Event-ID` from the store (`/api/stream`).
 * It uses the store's public API only, so it serves what any process or machine stores.
 * @packageDocumentation
 */
export { startDashboard, type DashboardOptions, type DashboardServer } from './server.js';
export { isLoopback, TOKEN_COOKIE } from './access.js';
export { CSP } from './http.js';
export { consoleUrlOf, type ConsoleRef } from './consoles.js';
export {
  countInventory,
  filterInventory,
  readInventory,
  type InventoryFilter,
  type InventoryItem,
} from './inventory.js';
export {
  boardKey,
  TargetBoard,
  type BoardChange,
  type ItemKind,
  type KnownTarget,
  type TargetError,
} from './targets.js';
