import type { LifecycleFailureTruth } from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageBuilderClient } from '../src/index.js';
import { isLifecycleResource } from '../src/wire/guards.js';
import { LifecycleResourceSchema, ListWorkflowStepsSchema } from '../src/wire/schemas.js';
import { type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('capabilities name the native order', () => {
  it("nativeOrder is 'oldest-first': every list is read whole and sorted by the client, oldest first", () => {
    const c = new ImageBuilderClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      expect(c.capabilities.nativeOrder).toBe('oldest-first');
      expect(c.capabilities.eventOrder).toBe('oldest-first');
    } finally {
      c.close();
    }
  });
});

describe('a time before 2000-01-01 (Image Builder did not exist) is INVALID_RESPONSE naming the field', () => {
  it('endTime "20260101", which the SDK reads as epoch seconds (1970-08-23)', async () => {
    s = await setup({ scenarios: ['lifecycleFailure'] });
    const lce = (s.emu.truth.lifecycleFailure as LifecycleFailureTruth).executionId;
    for (const [member, value] of [
      ['endTime', '20260101'],
      ['startTime', '20260101'],
      ['endTime', 20260101],
    ] as const) {
      s.emu.server.faults.inject({
        kind: 'status',
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: {
          lifecycleExecutionId: lce,
          resources: [{ resourceId: 'ami-1', state: { status: 'SUCCESS' }, startTime: 1_768_478_000, [member]: value }],
        },
      });
      const err = await failure(s.client.listLifecycleExecutionEvents(lce).toArray({ limit: 5 }));
      expect(err, `${member}: ${value}`).toMatchObject({
        code: 'INVALID_RESPONSE',
        fieldPath: `resources[0].${member}`,
        operation: 'listLifecycleExecutionEvents',
      });
    }
  });

  it('the hot-path guard refuses what the schema refuses; 2000-01-01 itself and later pass', () => {
    const early = { resourceId: 'ami-1', endTime: new Date(20260101 * 1000) };
    expect(isLifecycleResource(early)).toBe(false);
    expect(LifecycleResourceSchema.safeParse(early).success).toBe(false);
    const atFloor = { resourceId: 'ami-1', endTime: new Date(Date.UTC(2000, 0, 1)) };
    expect(isLifecycleResource(atFloor)).toBe(true);
    expect(LifecycleResourceSchema.safeParse(atFloor).success).toBe(true);
  });

  it('DateTime (ISO string) members too: a step time before 2000 names the field', () => {
    const parsed = ListWorkflowStepsSchema.safeParse({
      steps: [{ stepExecutionId: 'step-1', status: 'COMPLETED', startTime: '1999-12-31T23:59:59Z' }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['steps', 0, 'startTime']);
  });
});
