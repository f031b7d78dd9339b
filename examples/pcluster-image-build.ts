/**
 * Follow an AWS ParallelCluster image build until it completes or fails, then print the image and
 * where its build log is.
 *
 * Against a deployed ParallelCluster API (credentials from the AWS default provider chain):
 *   PCLUSTER_API_URL=https://abc123.execute-api.eu-west-1.amazonaws.com/prod \
 *     npx tsx --conditions=@stackfeed/source examples/pcluster-image-build.ts my-image
 *
 * Directly against CloudFormation / EC2 / Image Builder / CloudWatch Logs (no API deployed):
 *   AWS_REGION=eu-west-1 npx tsx --conditions=@stackfeed/source examples/pcluster-image-build.ts my-image --direct
 *
 * With neither, it runs against the local emulator with a build that succeeds.
 */
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { StackfeedError } from '@stackfeed/core';
import { imageBuildSucceeds, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';

const imageId = process.argv[2] ?? 'demo-image';
const direct = process.argv.includes('--direct');
const apiUrl = process.env.PCLUSTER_API_URL;

let close = async () => {};
let client: ParallelClusterClient;
if (apiUrl) {
  client = new ParallelClusterClient({ apiUrl, region: process.env.AWS_REGION });
} else if (direct && process.env.AWS_REGION) {
  client = new ParallelClusterClient({ mode: 'direct', region: process.env.AWS_REGION });
} else {
  // The emulator: every request moves its clock 5 s, so the build progresses while we watch.
  const emu = await startParallelClusterEmulator({ requestStepMs: 5000 });
  imageBuildSucceeds(emu.world, { imageId, buildSeconds: 90 });
  close = () => emu.close();
  client = direct
    ? new ParallelClusterClient({
        mode: 'direct',
        region: emu.region,
        credentials: emu.credentials,
        endpoints: emu.endpoints,
      })
    : new ParallelClusterClient({ apiUrl: emu.apiUrl, signingRegion: emu.region, credentials: emu.credentials });
  console.log(`(local emulator, ${client.mode} mode)`);
}

try {
  const stream = client.watchImageBuild(imageId, { pollIntervalMs: apiUrl || direct ? 10_000 : 50 });
  for await (const ev of stream) {
    const what = ev.resource.logicalId ?? ev.stack.name;
    console.log(
      `${ev.timestamp.toISOString()}  ${ev.status.padEnd(22)} ${what}${ev.message ? `  — ${ev.message}` : ''}`,
    );
  }
  const image = stream.result?.final;
  console.log(`\nbuild ${stream.result?.outcome}: ${image?.status ?? stream.result?.status}`);
  if (image) {
    for (const a of image.artifacts) console.log(`  ${a.kind} ${a.id} ${a.name ?? ''} (${a.state ?? '?'})`);
    if (image.reason) console.log(`  reason: ${image.reason}`);
  }
  // The build log: one stream per build, named <version>/<build>.
  for await (const s of client.listImageLogStreams(imageId)) {
    const lines = await client.listImageLogEvents(imageId, s.name).toArray({ limit: 3 });
    console.log(`  log ${s.name}: ${lines.map((l) => l.message).join(' | ')}`);
  }
} catch (err) {
  if (StackfeedError.is(err)) {
    console.error(`${err.code}: ${err.message}`);
    process.exitCode = 1;
  } else throw err;
} finally {
  await close();
}
