import { ImagebuilderClient, ListLifecycleExecutionResourcesCommand } from '@aws-sdk/client-imagebuilder';
import { lifecycleLarge, startImageBuilderEmulator } from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageBuilderClient } from '../src/index.js';
import { CREDS } from './helpers.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/**
 * Counts the calls of the SDK's sensitive-data filters (the copies of each command's input and
 * output its logger middleware makes for `logger.info`): a middleware puts counting filters in
 * the command's context, which the logger middleware reads once the response is deserialized.
 */
function countFilterCalls(sdk: ImagebuilderClient): { calls: number } {
  const counter = { calls: 0 };
  sdk.middlewareStack.add(
    (next, context) => async (args) => {
      const ctx = context as {
        inputFilterSensitiveLog?: (x: unknown) => unknown;
        outputFilterSensitiveLog?: (x: unknown) => unknown;
      };
      const input = ctx.inputFilterSensitiveLog;
      const output = ctx.outputFilterSensitiveLog;
      ctx.inputFilterSensitiveLog = (x) => {
        counter.calls++;
        return input ? input(x) : x;
      };
      ctx.outputFilterSensitiveLog = (x) => {
        counter.calls++;
        return output ? output(x) : x;
      };
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'countFilterCalls' },
  );
  return counter;
}

describe('the SDK clients stackfeed builds', () => {
  it('do not copy every input and output through the SDK log filter (an SDK client with its default logger does)', async () => {
    const emu = await startImageBuilderEmulator({ auth: { credentials: [CREDS] } });
    const { executionId, count } = lifecycleLarge(emu.store, { count: 60 });
    const ours = new ImageBuilderClient({ region: 'us-east-1', endpoint: emu.url, credentials: CREDS });
    const plain = new ImagebuilderClient({ region: 'us-east-1', endpoint: emu.url, credentials: CREDS });
    closers.push(
      () => emu.close(),
      () => ours.close(),
      () => plain.destroy(),
    );

    const ourCalls = countFilterCalls(ours.sdk);
    const events = await ours.listLifecycleExecutionEvents(executionId, { pageSize: 25 }).toArray({ limit: 1000 });
    expect(events).toHaveLength(count);
    expect(ourCalls.calls).toBe(0);
    // The SDK's own warnings still have somewhere to go.
    expect(typeof ours.sdk.config.logger.warn).toBe('function');
    expect(typeof ours.sdk.config.logger.debug).toBe('function');

    const plainCalls = countFilterCalls(plain);
    const out = await plain.send(new ListLifecycleExecutionResourcesCommand({ lifecycleExecutionId: executionId }));
    expect(out.resources?.length).toBeGreaterThan(0);
    expect(plainCalls.calls).toBe(2);
  });
});
