/**
 * Print the root cause of the last failed deployment of a stack, on any provider: the resource
 * that broke first (nested stacks searched), its reason, and how long the deployment ran.
 *
 * Against `pnpm stackfeed emulator` (in another terminal; the variables its banner prints), RFS's
 * "shop-db" deploys, fails and rolls back:
 *
 *   HUAWEICLOUD_SDK_AK=STACKFEEDDEMOAK00001 HUAWEICLOUD_SDK_SK=stackfeed-demo-secret-key \
 *   HUAWEICLOUD_SDK_PROJECT_ID=0123456789abcdef0123456789abcdef HUAWEICLOUD_SDK_REGION=cn-north-4 \
 *   HUAWEICLOUD_SDK_ENDPOINT=http://127.0.0.1:4770 \
 *     pnpm exec tsx --conditions=@stackfeed/source examples/last-failure.ts rfs shop-db
 *
 * The other providers take their usual settings: `heat <stack>` (OS_CLOUD or OS_* variables; with
 * the emulator OS_AUTH_TYPE=none OS_ENDPOINT=http://127.0.0.1:4780/v1/demo), `pcluster <image>` or
 * `pcluster cluster/<name>` (PCLUSTER_API_URL, AWS credentials and AWS_REGION), `imagebuilder
 * <build version ARN | lce-… | wf-…>` (AWS credentials and AWS_REGION). CI runs the command above
 * (packages/cli/test/examples.test.ts).
 */
import { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { type Deployment, type Paginator, StackfeedError } from '@stackfeed/core';
import { RfsClient } from '@stackfeed/huawei-rfs';
import { HeatClient } from '@stackfeed/openstack-heat';

const [provider, target] = process.argv.slice(2);
if (!provider || !target) {
  console.error('usage: last-failure.ts <heat|rfs|pcluster|imagebuilder> <target>');
  process.exit(2);
}

/** Every client is a DeploymentSource: only the ref each one takes differs. */
function deploymentsOf(provider: string, target: string): Paginator<Deployment> {
  const region = process.env.AWS_REGION;
  switch (provider) {
    case 'heat':
      return HeatClient.fromConfig().listDeployments(target);
    case 'rfs': {
      const rfsRegion = process.env.HUAWEICLOUD_SDK_REGION;
      if (!rfsRegion) throw new StackfeedError({ code: 'CONFIG', message: 'set HUAWEICLOUD_SDK_REGION' });
      return new RfsClient({ region: rfsRegion, endpoint: process.env.HUAWEICLOUD_SDK_ENDPOINT }).listDeployments(
        target,
      );
    }
    case 'pcluster': {
      const apiUrl = process.env.PCLUSTER_API_URL;
      const client = apiUrl
        ? new ParallelClusterClient({ apiUrl, region })
        : new ParallelClusterClient({ mode: 'direct', region });
      const ref = target.startsWith('cluster/')
        ? { kind: 'cluster' as const, name: target.slice('cluster/'.length) }
        : { kind: 'image' as const, name: target };
      return client.listDeployments(ref);
    }
    case 'imagebuilder':
      return new ImageBuilderClient({ region }).listDeployments(target);
    default:
      console.error(`unknown provider ${provider}: heat, rfs, pcluster or imagebuilder`);
      process.exit(2);
  }
}

try {
  // Newest first: the first failed or rolled-back one is the last failure.
  let last: Deployment | undefined;
  for await (const d of deploymentsOf(provider, target)) {
    if (d.outcome === 'failed' || d.outcome === 'rolled-back') {
      last = d;
      break;
    }
  }
  if (!last) {
    console.log(`${target}: no failed deployment`);
  } else {
    const took = last.durationSeconds === undefined ? 'unknown (its start was pruned)' : `${last.durationSeconds}s`;
    console.log(
      `${target}: ${last.action} ${last.outcome} (${last.status}), started ${last.startedAt?.toISOString() ?? '?'}, took ${took}`,
    );
    const cause = last.rootCause;
    if (cause) {
      const key = cause.resource.key ? `[${cause.resource.key}]` : '';
      console.log(
        `root cause: ${cause.stack.name ?? cause.stack.id}/${cause.resource.logicalId}${key} (${cause.resource.type ?? '?'})`,
      );
      console.log(`  ${cause.reason ?? cause.event.status}`);
    }
  }
} catch (err) {
  if (!StackfeedError.is(err)) throw err;
  console.error(`${err.code}: ${err.message}`);
  process.exit(1);
}
