// A dashboard server in a process of its own, on a PostgreSQL store: what a second machine runs.
import { openStore } from '@stackfeed/store';
import { startDashboard } from '../src/index.js';

const { url, schema } = JSON.parse(process.argv[2] ?? '{}') as { url: string; schema: string };
const store = await openStore(url, { schema });
const server = await startDashboard({ store, webRoot: '/nonexistent' });
process.stdout.write(`URL ${server.url}\n`);
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
