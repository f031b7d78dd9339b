import { describe, expect, it } from 'vitest';
import { BufferWriter, EXIT, run } from '../src/index.js';
import { freePortBase } from './emulator-process.js';
import { cli, records } from './helpers.js';

/** Waits until `cond` holds, checking after each turn of the event loop's timers. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`never happened: ${what}`);
}

describe('stackfeed emulator', () => {
  it('runs every emulator on fixed ports, prints endpoints and credentials that work, stops on the signal', async () => {
    const base = await freePortBase();
    const out = new BufferWriter();
    const err = new BufferWriter();
    const ac = new AbortController();
    const running = run(['emulator', '--port-base', String(base)], {
      stdout: out,
      stderr: err,
      env: {},
      signal: ac.signal,
    });
    try {
      await until(() => out.text.includes('running on 127.0.0.1') || err.text.length > 0, 'emulators started');
      expect(err.text).toBe('');
      expect(out.text).toContain(`endpoint  http://127.0.0.1:${base}/prod`); // ParallelCluster API
      expect(out.text).toContain(`endpoint  http://127.0.0.1:${base + 10}`); // Image Builder
      expect(out.text).toContain(`endpoint  http://127.0.0.1:${base + 20}`); // RFS
      expect(out.text).toMatch(/4 emulator\(s\) running/);

      // What it printed is enough to read each one with the CLI.
      const settings = (name: string) =>
        new RegExp(`${name}=(\\S+)`).exec(out.text.slice(out.text.indexOf('● rfs')))?.[1];
      const rfsEnv = {
        HUAWEICLOUD_SDK_AK: settings('HUAWEICLOUD_SDK_AK'),
        HUAWEICLOUD_SDK_SK: settings('HUAWEICLOUD_SDK_SK'),
        HUAWEICLOUD_SDK_PROJECT_ID: settings('HUAWEICLOUD_SDK_PROJECT_ID'),
        HUAWEICLOUD_SDK_REGION: settings('HUAWEICLOUD_SDK_REGION'),
      };
      const stacks = await cli(['stacks', 'rfs', '--endpoint', `http://127.0.0.1:${base + 20}`, '-o', 'ndjson'], {
        env: rfsEnv,
      });
      expect(stacks.code, stacks.err).toBe(0);
      expect(records(stacks.out)).toEqual([expect.objectContaining({ type: 'stack', name: 'shop-db' })]);

      const pc = out.text.slice(out.text.indexOf('● pcluster'));
      const pcEnv = Object.fromEntries(
        ['PCLUSTER_API_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'].map((k) => [
          k,
          new RegExp(`${k}=(\\S+)`).exec(pc)?.[1],
        ]),
      );
      const images = await cli(['images', 'pcluster', '-o', 'ndjson'], { env: pcEnv });
      expect(images.code, images.err).toBe(0);
      expect(records(images.out).map((i) => i.id)).toContain('rocky9-hpc');

      // One set of printed AWS variables works for every AWS emulator.
      const ib = out.text.slice(out.text.indexOf('● imagebuilder'), out.text.indexOf('● rfs'));
      expect(new RegExp(`AWS_ACCESS_KEY_ID=${pcEnv.AWS_ACCESS_KEY_ID}\\b`).test(ib)).toBe(true);
      const policy = /lifecycle policy: (\S+)/.exec(ib)?.[1];
      expect(policy).toMatch(/^arn:aws:imagebuilder:us-east-1:\d{12}:lifecycle-policy\//);
      const { PCLUSTER_API_URL: _api, ...awsEnv } = pcEnv;
      const execs = await cli(
        ['executions', 'imagebuilder', policy as string, '--endpoint', `http://127.0.0.1:${base + 10}`, '-o', 'ndjson'],
        { env: awsEnv },
      );
      expect(execs.code, execs.err).toBe(0);
      expect(records(execs.out).length).toBeGreaterThan(0);

      // Direct mode (no PCLUSTER_API_URL): the four services the banner names, each region's own.
      const directEnv = {
        ...awsEnv,
        ...Object.fromEntries(
          [
            ['AWS_ENDPOINT_URL_CLOUDFORMATION', 1],
            ['AWS_ENDPOINT_URL_EC2', 2],
            ['AWS_ENDPOINT_URL_IMAGEBUILDER', 3],
            ['AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', 4],
          ].map(([k, offset]) => {
            expect(pc).toContain(`${k}=http://127.0.0.1:${base + Number(offset)}`);
            return [k, new RegExp(`${k}=(\\S+)`).exec(pc)?.[1]];
          }),
        ),
      };
      const direct = await cli(['images', 'pcluster', '--all-regions', '-o', 'ndjson'], { env: directEnv });
      expect(direct.code, direct.err).toBe(0);
      expect(records(direct.out).map((i) => [i.region, i.id])).toEqual(
        expect.arrayContaining([
          ['us-east-1', 'rocky9-hpc'],
          ['eu-west-1', 'rocky9-west'],
        ]),
      );
      const directEvents = await cli(['events', 'pcluster', 'rocky9-hpc', '-o', 'ndjson'], { env: directEnv });
      expect(directEvents.code, directEvents.err).toBe(0);
      expect(records(directEvents.out).length).toBeGreaterThan(0);

      const heatUrl = `http://127.0.0.1:${base + 30}/v1/demo`; // behind a proxy: the Heat emulator picks its port
      expect(out.text).toContain(`endpoint  ${heatUrl}`);
      const heat = await cli(['stacks', 'heat', '--endpoint', heatUrl, '-o', 'ndjson']);
      expect(heat.code, heat.err).toBe(0);
      expect(records(heat.out).map((s) => s.name)).toContain('web');
      // A name-only stack URL answers 302 to the stack's full URL: it must stay on the fixed port.
      const events = await cli(['events', 'heat', 'web', '--endpoint', heatUrl, '-o', 'ndjson']);
      expect(events.code, events.err).toBe(0);
    } finally {
      ac.abort();
    }
    expect(await running).toBe(EXIT.OK);
  }, 60_000);

  it('a second `stackfeed emulator` on the same ports says so in one line, exit 1', async () => {
    const base = await freePortBase();
    const out = new BufferWriter();
    const ac = new AbortController();
    const first = run(['emulator', '--port-base', String(base)], {
      stdout: out,
      stderr: new BufferWriter(),
      env: {},
      signal: ac.signal,
    });
    try {
      await until(() => out.text.includes('running on 127.0.0.1'), 'first emulators started');
      const second = await cli(['emulator', '--port-base', String(base)]);
      expect(second.code).toBe(EXIT.CALL_FAILED);
      const lines = second.err.trim().split('\n');
      expect(lines, second.err).toHaveLength(1);
      expect(lines[0]).toMatch(/^stackfeed: ports? .*in use on 127\.0\.0\.1 .*try --port-base \d+$/);
      expect(second.err).not.toContain('unexpected error');
    } finally {
      ac.abort();
      await first;
    }
  });
});
