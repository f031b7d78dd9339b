/**
 * Follow an EC2 Image Builder lifecycle execution (AMIs deprecated, then deleted), then list what
 * it did per region, and look at an image build whose workflow rolled back.
 *
 *   # against the local emulator (40 AMIs in two regions; an image build that fails), a few seconds:
 *   npx tsx --conditions=@stackfeed/source examples/imagebuilder-lifecycle.ts
 *
 *   # against AWS (default credential chain and region):
 *   npx tsx --conditions=@stackfeed/source examples/imagebuilder-lifecycle.ts lce-0123abcd-…
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { StackfeedError } from '@stackfeed/core';
import { type ManualClock, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';

const executionArg = process.argv[2];
let close = async () => {};
let ib: ImageBuilderClient;
let executionId: string;
let imageArn: string | undefined;

if (executionArg) {
  ib = new ImageBuilderClient(); // region and credentials from the AWS default chain
  executionId = executionArg;
} else {
  const credentials = { accessKeyId: 'AKIDDEMO000000000001', secretAccessKey: 'demo-secret-key-0123456789' };
  const emu = await startImageBuilderEmulator({
    auth: { credentials: [credentials] },
    scenarios: ['lifecycleDeprecateThenDelete', 'imageBuildWithRollback'],
    // Each poll of the demo moves the emulator's clock 10 s forward.
    onRequest: (op, input, store) => {
      if ((op === 'ListLifecycleExecutionResources' || op === 'ListWorkflowExecutions') && !input.nextToken)
        (store.clock as ManualClock).advance(10_000);
    },
  });
  close = () => emu.close();
  ib = new ImageBuilderClient({ region: 'us-east-1', endpoint: emu.url, credentials });
  executionId = emu.truth.lifecycleDeprecateThenDelete?.executionId as string;
  imageArn = emu.truth.imageBuildWithRollback?.imageArn;
}

try {
  // 1. Tail the execution: each resource transition once, oldest first, until it is over.
  const watch = ib.watchLifecycleExecution(executionId, { pollIntervalMs: executionArg ? 15_000 : 50 });
  let n = 0;
  for await (const ev of watch) {
    if (++n <= 6 || ev.phase === 'FAILED')
      console.log(
        ev.timestamp.toISOString(),
        ev.action.padEnd(9),
        ev.phase.padEnd(11),
        ev.details?.region,
        ev.resource.physicalId,
      );
  }
  console.log(`… ${n} transitions; execution ${watch.result?.status} (${watch.result?.final?.reason ?? 'no reason'})`);

  // 2. What it did, per region and action (snapshots ride along in details).
  const perRegion = new Map<string, number>();
  let snapshots = 0;
  for await (const ev of ib.listLifecycleExecutionEvents(executionId, { pageSize: 25 })) {
    const k = `${ev.details?.region} ${ev.action} ${ev.phase}`;
    perRegion.set(k, (perRegion.get(k) ?? 0) + 1);
    snapshots += (ev.details?.snapshots as unknown[] | undefined)?.length ?? 0;
  }
  console.table(Object.fromEntries(perRegion));
  console.log(`${snapshots} snapshots handled with the AMIs`);

  // 3. An image build whose workflow failed and rolled back.
  if (imageArn) {
    for await (const wf of ib.listWorkflowExecutions(imageArn)) {
      console.log(`workflow ${wf.details?.type} ${wf.status} → ${wf.state}`);
      for await (const step of ib.listWorkflowStepEvents(wf.id))
        console.log(
          `  ${String(step.resource.name).padEnd(24)} ${step.action.padEnd(8)} ${step.phase.padEnd(9)} ${step.message ?? ''}`,
        );
    }
    const image = await ib.getImage(imageArn);
    console.log(`image ${image.name} ${image.version}: ${image.status} (${image.reason})`);
  }
} catch (err) {
  if (StackfeedError.is(err)) console.error(`${err.code}: ${err.message}`);
  else throw err;
  process.exitCode = 1;
} finally {
  ib.close();
  await close();
}
