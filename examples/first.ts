import { mergeEvents, StackfeedError } from '@stackfeed/core';
import { HeatClient } from '@stackfeed/openstack-heat';
import { RfsClient } from '@stackfeed/huawei-rfs';

const heat = HeatClient.fromConfig(); // clouds.yaml + OS_CLOUD, or OS_* variables
// HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID; the endpoint only to point at an emulator or a private one
const rfs = new RfsClient({ region: 'cn-north-4', endpoint: process.env.HUAWEICLOUD_SDK_ENDPOINT });

// Pages with resumable tokens, filters pushed to the server where the provider can.
for await (const page of heat.listStackEvents({ name: 'web' }).byPage({ pageSize: 50 })) {
  console.log(page.items.length, page.continuationToken ? 'more' : 'last page');
}

// Follow two deployments as one time-ordered stream, until both are done.
try {
  for await (const ev of mergeEvents([
    heat.watchStackEvents({ name: 'web' }),
    rfs.watchStackEvents({ name: 'shop-db' }),
  ])) {
    const what = ev.isStackEvent ? '(stack)' : (ev.resource.logicalId ?? ev.resource.name);
    console.log(ev.timestamp.toISOString(), ev.provider, what, ev.action, ev.phase, ev.message ?? '');
  }
} catch (err) {
  if (err instanceof StackfeedError) console.error(err.code, err.provider, err.message); // no secrets, ever
}
