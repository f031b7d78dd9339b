import type { ItemKind } from './targets.js';

/** What a console link is built from. */
export interface ConsoleRef {
  provider: string;
  kind: ItemKind;
  id: string;
  name: string;
  /** The place label: a region is recognized in it (`us-east-1`, `prod/eu-west-1`, `cn-north-4`). */
  place: string;
}

const AWS_REGION = /(?:^|[/:])((?:us|eu|ap|sa|ca|me|af|il|mx)(?:-gov)?-[a-z]+-\d)(?:$|[/:])/;
const HUAWEI_REGION = /(?:^|[/:])((?:cn|ap|af|la|na|sa|me|tr|eu|ru)-[a-z]+(?:-[a-z]+)?-\d+)(?:$|[/:])/;

/**
 * A deep link to the provider's web console where the place names its region; null where the
 * console's address is not known (OpenStack: each cloud has its own Horizon, give it per target).
 */
export function consoleUrlOf(ref: ConsoleRef): string | null {
  const q = encodeURIComponent;
  if (ref.provider === 'aws-parallelcluster' || ref.provider === 'aws-imagebuilder') {
    const region = AWS_REGION.exec(ref.place)?.[1];
    if (!region) return null;
    const host = `https://${region}.console.aws.amazon.com`;
    if (ref.provider === 'aws-imagebuilder') {
      return ref.kind === 'execution'
        ? `${host}/imagebuilder/home?region=${region}#/lifecycleExecutions`
        : `${host}/imagebuilder/home?region=${region}#/images`;
    }
    // ParallelCluster images and clusters are CloudFormation stacks underneath.
    return `${host}/cloudformation/home?region=${region}#/stacks?filteringText=${q(ref.name)}`;
  }
  if (ref.provider === 'huawei-rfs') {
    const region = HUAWEI_REGION.exec(ref.place)?.[1];
    if (!region) return null;
    return `https://console.huaweicloud.com/rf/?region=${region}#/console/stack/stackDetail?stackName=${q(ref.name)}`;
  }
  return null;
}
