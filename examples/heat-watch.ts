/**
 * Follow an OpenStack Heat stack until it finishes, then print how it ended.
 *
 * Against the emulator (`pnpm stackfeed emulator` in another terminal: stack "web" with a nested
 * stack), from the clone's root:
 *
 *   OS_AUTH_TYPE=none OS_ENDPOINT=http://127.0.0.1:4780/v1/demo \
 *     pnpm exec tsx --conditions=@stackfeed/source examples/heat-watch.ts web 2
 *
 * Against a real Heat: OS_CLOUD=<cloud in clouds.yaml>, or OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/
 * OS_PROJECT_NAME, and your stack's name. CI runs the command above (packages/cli/test/examples.test.ts).
 */
import { StackfeedError } from '@stackfeed/core';
import { HeatClient } from '@stackfeed/openstack-heat';

const stack = process.argv[2];
if (!stack) {
  console.error('usage: heat-watch.ts <stack name or id> [nested depth]');
  process.exit(2);
}
const nestedDepth = Number(process.argv[3] ?? 0);

const heat = HeatClient.fromConfig();
const ac = new AbortController();
process.once('SIGINT', () => ac.abort());

try {
  const before = await heat.getStack(stack, { signal: ac.signal });
  console.log(`${before.name} (${before.id}) is ${before.status}`);
  const watch = heat.watchStackEvents(stack, { nestedDepth, pollIntervalMs: 2000, signal: ac.signal });
  for await (const ev of watch) {
    const where = ev.stack.name !== before.name ? ` in ${ev.stack.name}` : '';
    const what = ev.isStackEvent ? 'stack' : `${ev.resource.logicalId}${where}`;
    console.log(`${ev.timestamp.toISOString()} ${what}: ${ev.status}${ev.message ? ` (${ev.message})` : ''}`);
  }
  console.log(`done: ${watch.result?.outcome} ${watch.result?.status ?? ''} ${watch.result?.reason ?? ''}`);
  process.exitCode = watch.result?.outcome === 'failed' ? 1 : 0;
} catch (err) {
  if (StackfeedError.is(err))
    console.error(`${err.code}${err.providerCode ? ` ${err.providerCode}` : ''}: ${err.message}`);
  else throw err;
  process.exitCode = 1;
}
