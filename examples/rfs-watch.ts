/**
 * Watch a Huawei Cloud RFS stack deploy, then list its error events.
 *
 *   # against the local emulator (a deployment that fails and rolls back, about 10 s):
 *   npx tsx --conditions=@stackfeed/source examples/rfs-watch.ts
 *
 *   # against a real stack (AK/SK from HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID):
 *   RFS_REGION=cn-north-4 npx tsx --conditions=@stackfeed/source examples/rfs-watch.ts my-stack
 */
import { StackfeedError } from '@stackfeed/core';
import { deploymentFailsAndRollsBack, startRfsEmulator } from '@stackfeed/emulator/rfs';
import { RfsClient } from '@stackfeed/huawei-rfs';

const stackName = process.argv[2];
let close = async () => {};
let rfs: RfsClient;
let name: string;

if (stackName) {
  rfs = new RfsClient({ region: process.env.RFS_REGION ?? 'cn-north-4' });
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
