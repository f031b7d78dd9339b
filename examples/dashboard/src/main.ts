/**
 * `pnpm --filter @stackfeed/dashboard-example start`: the dashboard against the local emulators.
 * `DASHBOARD_CONFIG=targets.json` points it at real clouds instead (see src/configured.ts);
 * `PORT` (default 8080), `DASHBOARD_SPEED` (emulators, default 2).
 */
import { configuredSources } from './configured.js';
import { emulatedSources } from './emulated.js';
import { startDashboard } from './server.js';
import type { DashboardSources } from './sources.js';

// Node 20 is supported; keep the AWS SDK's 8-line NodeVersionSupportWarning out of the log (the user's setting wins).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const config = process.env.DASHBOARD_CONFIG;
let sources: DashboardSources;
try {
  sources = config ? await configuredSources(config) : await emulatedSources(Number(process.env.DASHBOARD_SPEED ?? 2));
} catch (err) {
  // One line, not a stack dump: only a file that cannot be used at all gets here.
  console.error(`stackfeed dashboard: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
const dashboard = await startDashboard(sources, { port: Number(process.env.PORT ?? 8080) });
console.log(`stackfeed dashboard on ${dashboard.url} (${config ? `targets from ${config}` : 'local emulators'})`);
const stop = async () => {
  await dashboard.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
