/**
 * `stackfeed emulator` and `stackfeed demo` as a playground: the printed variables read every
 * provider at once (the issue's `watch heat:… rfs:… pcluster:… imagebuilder:…`), ParallelCluster
 * direct mode reads the CloudFormation emulator through AWS_ENDPOINT_URL_CLOUDFORMATION, `--loop`
 * plays the scenarios again with new ids, and the demo clock never stamps an event in the future.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferWriter, EXIT, run } from '../src/index.js';
import { type DemoClock, demoClock, LOOP_PERIOD_MS, loopRounds } from '../src/providers/types.js';
import { freePortBase } from './emulator-process.js';
import { cli, records } from './helpers.js';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

/** Starts `stackfeed emulator` in-process; returns its banner and the variables it printed, per provider. */
async function startEmulator(args: string[]) {
  const base = await freePortBase();
  const out = new BufferWriter();
  const err = new BufferWriter();
  const ac = new AbortController();
  const running = run(['emulator', '--port-base', String(base), ...args], {
    stdout: out,
    stderr: err,
    env: {},
    signal: ac.signal,
  });
  await until(() => (out.text.includes('running on 127.0.0.1') || err.text ? true : undefined), 'emulators started');
  expect(err.text).toBe('');
  const section = (name: string) => {
    const from = out.text.indexOf(`● ${name} `);
    const to = out.text.indexOf('\n●', from + 1);
    return out.text.slice(from, to < 0 ? undefined : to);
  };
  const vars = (name: string) =>
    Object.fromEntries([...section(name).matchAll(/^ {2}([A-Z][A-Z0-9_]*)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  return {
    base,
    banner: out.text,
    section,
    vars,
    stop: async () => {
      ac.abort();
      return running;
    },
  };
}

let stopping: (() => Promise<number>) | undefined;
afterEach(async () => {
  await stopping?.();
  stopping = undefined;
  vi.useRealTimers();
});

describe('the emulator as a playground', () => {
  it('one set of printed variables reads all four providers in one watch, and CloudFormation in direct mode', async () => {
    const emu = await startEmulator(['--speed', '30']);
    stopping = emu.stop;
    const pc = emu.vars('pcluster');
    const ib = emu.vars('imagebuilder');
    // The same AWS variables for ParallelCluster and Image Builder.
    expect(ib.AWS_ACCESS_KEY_ID).toBe(pc.AWS_ACCESS_KEY_ID);
    expect(ib.AWS_SECRET_ACCESS_KEY).toBe(pc.AWS_SECRET_ACCESS_KEY);
    const env = { ...pc, ...emu.vars('rfs') };
    const lce = /lifecycle execution: (lce-\S+)/.exec(emu.section('imagebuilder'))?.[1];
    const ibUrl = /endpoint {2}(\S+)/.exec(emu.section('imagebuilder'))?.[1];
    const rfsUrl = /endpoint {2}(\S+)/.exec(emu.section('rfs'))?.[1];
    const heatUrl = /endpoint {2}(\S+)/.exec(emu.section('heat'))?.[1];
    expect(lce && ibUrl && rfsUrl && heatUrl).toBeTruthy();
    const watch = await cli(
      [
        'watch',
        'heat:web',
        'rfs:shop-db',
        'pcluster:rocky9-hpc',
        `imagebuilder:${lce}`,
        '--endpoint',
        `heat=${heatUrl}`,
        '--endpoint',
        `rfs=${rfsUrl}`,
        '--endpoint',
        `imagebuilder=${ibUrl}`,
        '--output',
        'ndjson',
      ],
      { env },
    );
    expect(watch.err).not.toMatch(/UNAUTHORIZED|FORBIDDEN/);
    // RFS's scenario fails and rolls back: the watch says so in its exit code, not as a call failure.
    expect(watch.code, watch.err).toBe(EXIT.DEPLOYMENT_FAILED);
    const results = Object.fromEntries(
      records(watch.out)
        .filter((r) => r.type === 'result')
        .map((r) => [r.provider, r.outcome]),
    );
    expect(results).toEqual({
      'openstack-heat': 'succeeded',
      'huawei-rfs': 'failed',
      'aws-parallelcluster': 'succeeded',
      'aws-imagebuilder': 'succeeded',
    });

    // Direct mode: CloudFormation on the printed port, the same keys, no PCLUSTER_API_URL.
    const cfn = /AWS_ENDPOINT_URL_CLOUDFORMATION=(\S+)/.exec(emu.section('pcluster'))?.[1];
    expect(cfn).toBe(`http://127.0.0.1:${emu.base + 1}`);
    const { PCLUSTER_API_URL: _api, ...aws } = pc;
    // The AWS SDK reads AWS_ENDPOINT_URL_* from the process environment itself, as in a shell.
    const before = process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
    process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = cfn;
    let direct: Awaited<ReturnType<typeof cli>>;
    try {
      direct = await cli(['events', 'pcluster', 'rocky9-hpc', '--output', 'ndjson'], {
        env: { ...aws, AWS_ENDPOINT_URL_CLOUDFORMATION: cfn },
      });
    } finally {
      if (before === undefined) delete process.env.AWS_ENDPOINT_URL_CLOUDFORMATION;
      else process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = before;
    }
    expect(direct.code, direct.err).toBe(EXIT.OK);
    const events = records(direct.out).filter((r) => r.type === 'event');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.provider === 'aws-parallelcluster')).toBe(true);
  }, 120_000);

  it('--loop plays every scenario again, with new ids, and says so', async () => {
    const emu = await startEmulator(['--loop', '--speed', '60']);
    stopping = emu.stop;
    expect(emu.banner).toContain(`start again every ${LOOP_PERIOD_MS / 1000} s of scenario time`);
    const pc = emu.vars('pcluster');
    const rfs = emu.vars('rfs');
    const ibUrl = /endpoint {2}(\S+)/.exec(emu.section('imagebuilder'))?.[1] as string;
    const rfsUrl = /endpoint {2}(\S+)/.exec(emu.section('rfs'))?.[1] as string;
    const heatUrl = /endpoint {2}(\S+)/.exec(emu.section('heat'))?.[1] as string;
    const policy = /lifecycle policy: (\S+)/.exec(emu.section('imagebuilder'))?.[1] as string;
    const { PCLUSTER_API_URL: _api, ...aws } = pc;

    // ParallelCluster: a second build.
    await until(async () => {
      const r = await cli(['images', 'pcluster', '--output', 'ndjson'], { env: pc });
      return r.code === 0 && records(r.out).some((i) => i.id === 'rocky9-hpc-2') ? true : undefined;
    }, 'a second ParallelCluster build');
    // Image Builder: a second execution of the policy.
    await until(async () => {
      const r = await cli(['executions', 'imagebuilder', policy, '--endpoint', ibUrl, '--output', 'ndjson'], {
        env: aws,
      });
      const ids = new Set(records(r.out).map((e) => e.id));
      return r.code === 0 && ids.size >= 2 ? true : undefined;
    }, 'a second lifecycle execution');
    // RFS: the deployment fails and rolls back a second time.
    await until(async () => {
      const r = await cli(
        ['events', 'rfs', 'shop-db', '--endpoint', rfsUrl, '--phase', 'FAILED', '--output', 'ndjson'],
        {
          env: rfs,
        },
      );
      const failed = records(r.out).filter((e) => e.type === 'event');
      return r.code === 0 && new Set(failed.map((e) => e.timestamp)).size >= 2 ? true : undefined;
    }, 'a second RFS deployment');
    // Heat: the stack is updated.
    await until(async () => {
      const r = await cli(['events', 'heat', 'web', '--endpoint', heatUrl, '--output', 'ndjson']);
      return r.code === 0 && records(r.out).some((e) => e.status === 'UPDATE_COMPLETE') ? true : undefined;
    }, 'a Heat stack update');
  }, 120_000);

  it('without --loop nothing is replayed', async () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const clock: DemoClock = { t0: 1_000_000, speed: 1, now: () => now, elapsed: () => now - 1_000_000 };
    const rounds: Array<[number, number]> = [];
    const stop = loopRounds(clock, (k, at) => rounds.push([k, at]), 1000);
    vi.advanceTimersByTime(1000);
    expect(rounds).toEqual([]); // nothing before half a period
    now += 500;
    vi.advanceTimersByTime(200);
    expect(rounds).toEqual([[1, 1_001_000]]); // round 1 in place half a period before it starts
    now += 2000; // a sped-up clock may jump: every round due is put in place, in order
    vi.advanceTimersByTime(200);
    expect(rounds).toEqual([
      [1, 1_001_000],
      [2, 1_002_000],
      [3, 1_003_000],
    ]);
    stop();
    now += 10_000;
    vi.advanceTimersByTime(1000);
    expect(rounds).toHaveLength(3); // stopped
  });
});

describe('the demo clock', () => {
  it('anchored, the scenario ends at the wall clock\'s "now" and no moment of it is in the future', () => {
    let wall = 1_796_000_000_500;
    const speed = 5;
    const clock = demoClock(speed, () => wall, { anchorMs: 100_000 });
    expect(clock.t0 % 1000).toBe(0);
    expect(clock.t0).toBeLessThanOrEqual(wall - 80_000);
    // Every scenario moment up to the anchor is at or before the wall clock when it is reached.
    for (let step = 0; step <= 20; step++) {
      expect(clock.now()).toBeLessThanOrEqual(wall);
      wall += 1000;
    }
    // The end (t0 + 100 s) is reached within a second of the wall clock.
    expect(clock.t0 + 100_000).toBeLessThanOrEqual(wall);
    expect(wall - (clock.t0 + 100_000)).toBeLessThan(2000);
  });

  it('without an anchor, or at speed 1, scenario time 0 is now', () => {
    const wall = 1_796_000_000_500;
    expect(demoClock(5, () => wall).t0).toBe(1_796_000_000_000);
    expect(demoClock(1, () => wall, { anchorMs: 100_000 }).t0).toBe(1_796_000_000_000);
  });

  it('stackfeed demo stamps no event after the moment it is printed', async () => {
    const r = await cli(['demo', '--speed', '20', '--output', 'ndjson']);
    const end = Date.now();
    expect(r.code, r.err).toBe(EXIT.OK);
    const ts = records(r.out)
      .filter((x) => x.type === 'event')
      .map((e) => Date.parse(e.timestamp as string));
    expect(ts.length).toBeGreaterThan(0);
    expect(Math.max(...ts)).toBeLessThanOrEqual(end);
  }, 120_000);
});
