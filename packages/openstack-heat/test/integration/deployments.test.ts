import { afterAll, describe, expect } from 'vitest';
import { HeatClient } from '../../src/index.js';
import { type StackHandle, createStack, deleteStack, rawEvents, uniqueName, waitStack } from '../support/peer.js';
import { noauthUrl, realPeerSuite } from './peers.js';

/**
 * Against a REAL Heat 19: a stack whose nested stack's resource fails (`OS::Heat::TestResource`
 * with `fail: true`, behind a template resource). The deployment's root cause must be that nested
 * resource and Heat's own reason for it, not the parent's "Resource CREATE failed" summary, and its
 * duration the span of the stack's own events as Heat lists them.
 */
const PARENT = `heat_template_version: 2018-08-31
resources:
  fine:
    type: OS::Heat::RandomString
    properties: {length: 8}
  db:
    type: db.yaml
    depends_on: [fine]
`;
const NESTED = `heat_template_version: 2018-08-31
resources:
  volume:
    type: OS::Heat::TestResource
    properties:
      value: this-one-fails
      fail: true
      action_wait_secs: {create: 1}
`;

let url: string;
let stack: StackHandle;
const itReal = realPeerSuite(async () => {
  url = noauthUrl();
  stack = await createStack(url, uniqueName('it-deploy'), PARENT, { inline: true, inlineFiles: { 'db.yaml': NESTED } });
  expect(await waitStack(url, stack, 150_000)).toBe('CREATE_FAILED');
}, 170_000);
afterAll(async () => {
  if (url && stack) await deleteStack(url, stack).catch(() => undefined);
});

describe('deployments on a real Heat', () => {
  itReal('a create that fails inside a nested stack: rootCause is the nested resource with Heat’s reason', async () => {
    const heat = new HeatClient({ auth: { type: 'none' }, endpoint: url });
    const [d, ...older] = await heat.listDeployments(stack.name).toArray({ limit: 10 });
    expect(older).toEqual([]);
    expect(d).toMatchObject({ action: 'CREATE', outcome: 'failed', status: 'CREATE_FAILED' });
    expect(d?.rootCause?.resource.logicalId).toBe('volume');
    expect(d?.rootCause?.stack.name).not.toBe(stack.name);
    expect(d?.rootCause?.stack.rootId).toBe(stack.id);
    expect(d?.rootCause?.reason).toMatch(/Test Resource failed/);

    // Durations are the events' own: the stack's first and last stack-level event as Heat lists them.
    const own = (await rawEvents(url, stack)).filter((e) => e.resource_name === stack.name);
    const utc = (t: string) => Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(t) ? t : `${t}Z`);
    const start = utc((own[0] as { event_time: string }).event_time);
    const end = utc((own.at(-1) as { event_time: string }).event_time);
    expect(d?.startedAt?.getTime()).toBe(start);
    expect(d?.endedAt?.getTime()).toBe(end);
    expect(d?.durationSeconds).toBe((end - start) / 1000);

    // The same deployment by its id, and the watch of the ended stack names the same root cause.
    expect((await heat.getDeployment(stack.name, d?.id as string)).rootCause?.event.id).toBe(d?.rootCause?.event.id);
    const watch = heat.watchStackEvents(stack.name, { nestedDepth: 2, pollIntervalMs: 100 });
    for await (const _ of watch) {
      // the stack is over: one poll and the final drain
    }
    expect(watch.result?.rootCause?.resource.logicalId).toBe('volume');
  });
});
