import {
  GetLifecycleExecutionCommand,
  ImagebuilderClient,
  ListLifecycleExecutionResourcesCommand,
  ListWorkflowStepExecutionsCommand,
} from '@aws-sdk/client-imagebuilder';
import { Router, startEmulator } from '@stackfeed/emulator';
import {
  ImageBuilderStore,
  type ImageBuildRollbackTruth,
  type LifecycleDeprecateDeleteTruth,
  ManualClock,
  imageBuildWithRollback,
  mountImageBuilderRoutes,
  startImageBuilderEmulator,
} from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDS } from './helpers.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function emulator(opts: Parameters<typeof startImageBuilderEmulator>[0] = {}) {
  const emu = await startImageBuilderEmulator({ auth: { credentials: [CREDS] }, ...opts });
  const sdk = new ImagebuilderClient({ region: 'us-east-1', endpoint: emu.url, credentials: CREDS, maxAttempts: 1 });
  closers.push(
    () => emu.close(),
    () => sdk.destroy(),
  );
  return { emu, sdk };
}

describe('Image Builder emulator: wire format', () => {
  it('rejects unsigned and badly signed requests with the AWS error shape', async () => {
    const { emu } = await emulator({ scenarios: ['lifecycleFailure'] });
    const post = (headers: Record<string, string>) =>
      fetch(`${emu.url}/ListLifecycleExecutions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ resourceArn: 'arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/x' }),
      });
    const none = await post({});
    expect(none.status).toBe(403);
    expect(none.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
    expect(none.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await none.json()).toEqual({ message: 'Missing Authentication Token' });
    const garbled = await post({ authorization: 'AWS4-HMAC-SHA256 Credential=abc', 'x-amz-date': '20260115T120000Z' });
    expect(garbled.status).toBe(403);
    expect(garbled.headers.get('x-amzn-errortype')).toMatch(/^IncompleteSignatureException:/);
    const sig = `AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/20260115/us-east-1/imagebuilder/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`;
    const noDate = await post({ authorization: sig });
    expect(noDate.headers.get('x-amzn-errortype')).toMatch(/^IncompleteSignatureException:/);
    const wrongService = await post({
      authorization: sig.replace('/imagebuilder/', '/ec2/'),
      'x-amz-date': '20260115T120000Z',
    });
    expect(wrongService.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
    const badSig = await post({ authorization: sig, 'x-amz-date': '20260115T120000Z' });
    expect(badSig.status).toBe(403);
    expect(badSig.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
  });

  it('timestamps as the model types them: lifecycle times are epoch numbers (Date in the SDK), step times ISO strings', async () => {
    const { emu, sdk } = await emulator({ scenarios: ['lifecycleDeprecateThenDelete', 'imageBuildWithRollback'] });
    const l = emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const w = emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    (emu.clock as ManualClock).set(w.endAt);
    const unsigned = await startImageBuilderEmulator({ store: emu.store, auth: { mode: 'off' } });
    closers.push(() => unsigned.close());
    const raw = await (
      await fetch(`${unsigned.url}/GetLifecycleExecution?lifecycleExecutionId=${l.executionId}`)
    ).json();
    expect(typeof raw.lifecycleExecution.startTime).toBe('number');
    const lce = await sdk.send(new GetLifecycleExecutionCommand({ lifecycleExecutionId: l.executionId }));
    expect(lce.lifecycleExecution?.startTime).toBeInstanceOf(Date);
    expect(lce.lifecycleExecution?.startTime?.getTime()).toBe(l.startAt);
    const steps = await sdk.send(new ListWorkflowStepExecutionsCommand({ workflowExecutionId: w.buildWorkflowId }));
    expect(typeof steps.steps?.[0]?.startTime).toBe('string');
    expect(steps.steps?.[0]?.startTime).toBe(new Date(w.startAt + 5000).toISOString());
    expect(steps.imageBuildVersionArn).toBe(w.imageArn);
  });

  it('pagination: maxResults must be 1..25; tokens are opaque, bound to the call and rejected when tampered', async () => {
    const { emu, sdk } = await emulator({ scenarios: ['lifecycleDeprecateThenDelete'] });
    const id = (emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth).executionId;
    const list = (input: { maxResults?: number; nextToken?: string; parentResourceId?: string }) =>
      sdk.send(new ListLifecycleExecutionResourcesCommand({ lifecycleExecutionId: id, ...input }));
    for (const bad of [0, 26]) {
      const err = await list({ maxResults: bad }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidRequestException', $metadata: { httpStatusCode: 400 } });
    }
    const first = await list({ maxResults: 25 });
    expect(first.resources).toHaveLength(25);
    expect(first.lifecycleExecutionId).toBe(id);
    expect(first.lifecycleExecutionState?.status).toBe('IN_PROGRESS');
    const token = first.nextToken as string;
    expect(() => JSON.parse(token)).toThrow();
    const second = await list({ maxResults: 25, nextToken: token });
    expect(second.resources).toHaveLength(15);
    expect(second.nextToken).toBeUndefined();
    const flipped = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    for (const t of [flipped, `${token}x`, 'garbage', token.split('.')[0] as string]) {
      const err = await list({ nextToken: t }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidPaginationTokenException', $metadata: { httpStatusCode: 400 } });
    }
    // A token of this list is not a token of another list (here: another parent).
    const other = await list({
      nextToken: token,
      parentResourceId: 'arn:aws:imagebuilder:us-east-1:123456789012:image/a/1.0.0/1',
    }).catch((e: unknown) => e);
    expect(other).toMatchObject({ name: 'InvalidPaginationTokenException' });
  });

  it('unknown ids: InvalidRequestException for a malformed id, ResourceNotFoundException for a missing one', async () => {
    const { sdk } = await emulator();
    expect(
      await sdk.send(new GetLifecycleExecutionCommand({ lifecycleExecutionId: 'lce-nope' })).catch((e: unknown) => e),
    ).toMatchObject({
      name: 'InvalidRequestException',
    });
    expect(
      await sdk
        .send(new GetLifecycleExecutionCommand({ lifecycleExecutionId: 'lce-00000000-0000-0000-0000-000000000000' }))
        .catch((e: unknown) => e),
    ).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('routes mount on another emulator Router next to its own API', async () => {
    const store = new ImageBuilderStore({ clock: new ManualClock() });
    const truth = imageBuildWithRollback(store);
    const router = new Router().on('GET', '/v3/images', () => ({ status: 200, body: { images: [] } }));
    mountImageBuilderRoutes(router, store, { auth: { mode: 'check' } });
    const server = await startEmulator({ handler: router.handler() });
    const sdk = new ImagebuilderClient({
      region: 'us-east-1',
      endpoint: server.url,
      credentials: CREDS,
      maxAttempts: 1,
    });
    closers.push(
      () => server.close(),
      () => sdk.destroy(),
    );
    expect((await (await fetch(`${server.url}/v3/images`)).json()).images).toEqual([]);
    const steps = await sdk.send(new ListWorkflowStepExecutionsCommand({ workflowExecutionId: truth.buildWorkflowId }));
    expect(steps.steps?.map((x) => x.name)).toEqual(truth.stepNames);
  });
});
