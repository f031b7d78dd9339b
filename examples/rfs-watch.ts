/**
 * Watch a Huawei Cloud RFS stack deploy, then list its error events.
 *
 * With no stack name it starts its own emulator (a deployment that fails and rolls back, about 10 s):
 *
 *   pnpm exec tsx --conditions=@stackfeed/source examples/rfs-watch.ts
 *
 * Against `pnpm stackfeed emulator` (in another terminal; the variables its banner prints):
 *
 *   HUAWEICLOUD_SDK_AK=STACKFEEDDEMOAK00001 HUAWEICLOUD_SDK_SK=stackfeed-demo-secret-key \
 *   HUAWEICLOUD_SDK_PROJECT_ID=0123456789abcdef0123456789abcdef HUAWEICLOUD_SDK_REGION=cn-north-4 \
 *   HUAWEICLOUD_SDK_ENDPOINT=http://127.0.0.1:4770 \
 *     pnpm exec tsx --conditions=@stackfeed/source examples/rfs-watch.ts shop-db
 *
 * Against a real stack: HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID / _REGION, no endpoint (the
 * region's public one). CI runs the commands above (packages/cli/test/examples.test.ts).
 */
import { StackfeedError } from '@stackfeed/core';
import { deploymentFailsAndRollsBack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';

const stackName = process.argv[2];
let close = async () => {};
let rfs: RfsClient;
let name: string;

if (stackName) {
  // The Huawei SDKs' variables; the endpoint only to point at an emulator or a private one.
  const region = process.env.HUAWEICLOUD_SDK_REGION;
  if (!region) {
    console.error('set HUAWEICLOUD_SDK_REGION (e.g. cn-north-4)');
    process.exit(2);
  }
  rfs = new RfsClient({ region, endpoint: process.env.HUAWEICLOUD_SDK_ENDPOINT });
  name = stackName;
} else {
  const credentials = { accessKey: 'DEMOACCESSKEY0000001', secretKey: 'demo-secret-key-0123456789' };
  const emu = await startRfsEmulator({
    credentials: { aksk: [credentials] },
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'demo', stepMs: 700 })],
  });
  close = () => emu.close();
  rfs = new RfsClient({ region: 'cn-north-4', projectId: emu.projectId, endpoint: emu.url, credentials });
  name = 'demo';
  console.log(`RFS emulator at ${emu.url}`);
}

try {
  const stack = await rfs.getStack(name);
  console.log(`${stack.name} (${stack.id}): ${stack.status}`);

  const watch = rfs.watchStackEvents(name, { pollIntervalMs: 1000 });
  for await (const ev of watch) {
    const what = ev.resource.type
      ? `${ev.resource.type}.${ev.resource.name}${ev.resource.key ? `[${ev.resource.key}]` : ''}`
      : '(stack)';
    console.log(`${ev.timestamp.toISOString()}  ${ev.status.padEnd(20)} ${what}  ${ev.message ?? ''}`);
  }
  console.log(`\nended: ${watch.result?.outcome} (${watch.result?.status}) after ${watch.result?.polls} polls`);

  // Server-side filter, typed: only the failure lines, oldest first, with only the attributes needed
  // (`timestamp` is required: every event carries its time).
  const errors = await rfs
    .listStackEvents(name, { filter: { eventType: ['ERROR'] }, fields: ['timestamp', 'event_message'] })
    .toArray({ limit: 20 });
  for (const e of errors) console.log(`ERROR ${e.timestamp.toISOString()}: ${e.message}`);

  // The latest few events, in RFS's own (cheap) order.
  const latest = await rfs.listStackEvents(name, { order: 'newest-first' }).toArray({ limit: 3 });
  for (const e of latest) console.log(`latest: ${e.status} ${e.message ?? ''}`);
} catch (err) {
  if (StackfeedError.is(err))
    console.error(`${err.code} ${err.providerCode ?? ''} ${err.message} (request id ${err.requestId ?? '-'})`);
  else throw err;
  process.exitCode = 1;
} finally {
  await close();
}
