import { afterAll, describe, expect } from 'vitest';
import { HeatClient } from '../../src/index.js';
import { type StackHandle, createStack, deleteStack, rawEvents, uniqueName, waitStack } from '../support/peer.js';
import { noauthUrl, realPeerSuite } from './peers.js';

/** A resource named `ü` on a REAL Heat 19: its own self link 404s; the client still answers. */
const TEMPLATE = `heat_template_version: 2018-08-31
resources:
  "ü":
    type: OS::Heat::None
  plain:
    type: OS::Heat::None
`;
let url: string;
let stack: StackHandle;

const itReal = realPeerSuite(async () => {
  url = noauthUrl();
  stack = await createStack(url, uniqueName('it-uml'), TEMPLATE, { inline: true });
  expect(await waitStack(url, stack, 120_000)).toBe('CREATE_COMPLETE');
}, 150_000);
afterAll(async () => {
  if (stack) await deleteStack(url, stack);
});

describe('non-ASCII resource names on a real Heat', () => {
  itReal('Heat 404s its own self link; listResourceEvents and getEvent answer anyway', async () => {
    const truth = (await rawEvents(url, stack)).filter((e) => e.resource_name === 'ü');
    expect(truth.map((e) => e.resource_status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_COMPLETE']);
    const self = (truth[1] as unknown as { links: Array<{ href: string; rel: string }> }).links.find(
      (l) => l.rel === 'self',
    )!.href;
    expect((await fetch(self, { headers: { 'x-auth-token': 'x' } })).status).toBe(404);

    const heat = new HeatClient({ auth: { type: 'none' }, endpoint: url });
    const listed = await heat.listResourceEvents(stack.name, 'ü').toArray({ limit: 10 });
    expect(listed.map((e) => e.id)).toEqual(truth.map((e) => e.id));
    const one = await heat.getEvent(stack, 'ü', truth[1]!.id);
    expect(one).toMatchObject({ id: truth[1]!.id, status: 'CREATE_COMPLETE', resource: { logicalId: 'ü' } });
  });
});
