import { afterEach, describe, expect, it } from 'vitest';
import { type Setup, setup } from './helpers.js';
import type { ImageBuildRollbackTruth, LifecycleFailureTruth } from '@stackfeed/emulator/imagebuilder';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const config = expect.objectContaining({ code: 'CONFIG', provider: 'aws-imagebuilder' });

describe('refs: the model id patterns, whole; an object ref with an explicit kind', () => {
  it('string and object refs name the same thing; the explicit kind must fit the id', async () => {
    s = await setup({ scenarios: ['imageBuildWithRollback', 'lifecycleFailure'] });
    const t = s.emu.truth.imageBuildWithRollback as ImageBuildRollbackTruth;
    const lce = (s.emu.truth.lifecycleFailure as LifecycleFailureTruth).executionId;
    s.clock.set(t.endAt + 1000);
    const ids = (evs: Array<{ id: string }>) => evs.map((e) => e.id);
    const byString = ids(await s.client.listStackEvents(t.imageArn).toArray({ limit: 100 }));
    expect(byString.length).toBeGreaterThan(0);
    expect(ids(await s.client.listStackEvents({ id: t.imageArn }).toArray({ limit: 100 }))).toEqual(byString);
    expect(
      ids(await s.client.listStackEvents({ id: t.imageArn, kind: 'image-build' }).toArray({ limit: 100 })),
    ).toEqual(byString);
    const lceEvents = ids(await s.client.listStackEvents(lce).toArray({ limit: 100 }));
    expect(
      ids(await s.client.listStackEvents({ id: lce, kind: 'lifecycle-execution' }).toArray({ limit: 100 })),
    ).toEqual(lceEvents);
    expect(ids(await s.client.listStackEvents({ id: t.buildWorkflowId }).toArray({ limit: 100 })).length).toBe(4);
    // The kind must fit the id: never a lifecycle call with an ARN.
    expect(() => s!.client.listStackEvents({ id: t.imageArn, kind: 'lifecycle-execution' })).toThrow(config);
    expect(() => s!.client.listStackEvents({ id: lce, kind: 'nested' as never })).toThrow(config);
  });

  it('no request for a ref of no form: a bare prefix, a version ARN (with a hint), a name, an empty id', async () => {
    s = await setup();
    const bad: unknown[] = [
      'lce-',
      'wf-',
      'LCE-00000000-0000-4000-8000-000000000000',
      'arn:aws:imagebuilder:us-east-1:123456789012:image/app/1.0.0',
      'arn:aws:imagebuilder:us-east-1:123456789012:image/app/1.0.0/1/extra',
      'arn:aws:imagebuilder:us-east-1:123456789012:lifecycle-policy/p',
      'my-stack',
      '',
      { name: 'app' },
      { id: '' },
      null,
      42,
    ];
    for (const ref of bad) {
      expect(() => s!.client.listStackEvents(ref as never)).toThrow(config);
      expect(() => s!.client.listDeployments(ref as never)).toThrow(config);
    }
    expect(() => s!.client.listStackEvents('arn:aws:imagebuilder:us-east-1:123456789012:image/app/1.0.0')).toThrow(
      /names no one build.*listImageBuildVersions/,
    );
    expect(s.emu.server.requests).toHaveLength(0);
  });

  it('an execution id of the right prefix but not of the model pattern goes to the service: its BAD_REQUEST', async () => {
    s = await setup();
    await expect(s.client.listStackEvents('lce-1234').toArray({ limit: 1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('a workflow execution cannot be watched by itself: CONFIG pointing at the build', async () => {
    s = await setup();
    expect(() => s!.client.watchStackEvents('wf-00000000-0000-4000-8000-000000000002')).toThrow(
      /a workflow execution id cannot be used here: pass a lifecycle execution id or an image build version ARN/,
    );
    expect(s.emu.server.requests).toHaveLength(0);
  });
});
