import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import type { Store } from '@stackfeed/store';
import { afterEach, describe, expect, it } from 'vitest';
import { type FleetError, FleetWorker, openFleet, type WorkerEvent } from '../src/index.js';
import { ENGINES, until } from './engines.js';
import { cloudsYamlSource, heatPlaces } from './heat-source.js';

type Failure = Extract<WorkerEvent, { type: 'failed' | 'discovery-failed' }>;

describe.each(ENGINES)('bad input on $name: each bad account reported and retried, the rest goes on', (engine) => {
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => {});
  });

  it('an unknown cloud, a refused endpoint and a credential revoked mid-run (403): typed errors with code, count and last seen, back-off; the good account is stored exactly once', async () => {
    const good = await startHeatEmulator({ autoAdvanceMs: 300 });
    const revokable = await startHeatEmulator({ autoAdvanceMs: 300 });
    closers.push(
      () => good.close(),
      () => revokable.close(),
    );
    // The credential of the `revoked` cloud is refused from some moment on: every request gets a 403.
    let revoked = false;
    revokable.server.faults.inject(
      { kind: 'status', status: 403, body: { error: { code: 403, title: 'Forbidden', message: 'revoked' } } },
      { match: () => revoked, times: Number.POSITIVE_INFINITY },
    );
    const res = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `r${i}` }));
    const stacks = [
      ...['g1', 'g2', 'g3'].map((n) => ({ emu: good, s: good.addStack(n, createScript(n, res(12))) })),
      // Long enough to be under way when the credential is revoked.
      ...['v1', 'v2'].map((n) => ({ emu: revokable, s: revokable.addStack(n, createScript(n, res(40))) })),
    ];
    const dir = await mkdtemp(join(tmpdir(), 'fleet-clouds-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const cloud = (endpoint: string) => `    auth_type: none\n    auth:\n      endpoint: ${endpoint}\n`;
    await writeFile(
      join(dir, 'clouds.yaml'),
      `clouds:\n  good:\n${cloud(good.heatUrl)}  revoked:\n${cloud(revokable.heatUrl)}  refused:\n${cloud('http://127.0.0.1:1/v1/admin')}`,
    );

    const store: Store = await engine.open();
    closers.push(() => store.close());
    const fleet = await openFleet(store, { leaseTtlMs: 3000 });
    // `missing` is in stackfeed.yaml but not in clouds.yaml.
    const places = heatPlaces(['good', 'missing', 'refused', 'revoked'], { limit: 30, intervalMs: 1000 });
    const events: WorkerEvent[] = [];
    const worker = new FleetWorker(fleet, {
      id: 'w',
      places,
      ...cloudsYamlSource(dir, places),
      pollIntervalMs: 50,
      backoffMs: 100,
      maxBackoffMs: 400,
      discoverEveryMs: 1000,
      flushIntervalMs: 5,
      onEvent: (e) => events.push(e),
    });
    closers.push(() => worker.stop());
    await worker.start();

    const failures = (place: string) =>
      events.filter(
        (e): e is Failure =>
          (e.type === 'failed' && e.key.startsWith(`${place}/`)) ||
          (e.type === 'discovery-failed' && e.place === place),
      );
    const placeOf = (cloud: string) => `openstack-heat:cloud=${cloud}`;
    const errorsOf = (all: FleetError[], cloud: string) => all.filter((e) => e.account === `openstack-heat:${cloud}:-`);
    const storedOf = async (name: string) => (await store.events({ stack: name }).toArray({ limit: 1000 })).length;

    await until(
      async () => (await storedOf('v1')) > 0 && (await storedOf('v2')) > 0,
      'the revokable account under way',
    );
    revoked = true;
    await until(async () => {
      const s = await fleet.status();
      const goodDone = s.targets.filter((t) => t.place === placeOf('good') && t.state === 'done').length === 3;
      const errs = s.errors;
      return (
        goodDone &&
        errorsOf(errs, 'missing').some((e) => e.count >= 2) &&
        errorsOf(errs, 'refused').some((e) => e.count >= 2) &&
        errorsOf(errs, 'revoked').filter((e) => e.scope === 'follow' && e.count >= 2).length === 2
      );
    }, 'the good account done, each bad one failing and retried');

    const status = await fleet.status();
    const [missing] = errorsOf(status.errors, 'missing');
    expect(missing).toMatchObject({ scope: 'discovery', key: placeOf('missing'), code: 'CONFIG' });
    expect(missing?.message).toMatch(/cloud "missing" is not defined/);
    expect(missing?.lastSeen).toBeInstanceOf(Date);
    expect(missing?.retryAt).toBeInstanceOf(Date);
    expect(missing?.lastSeen.getTime()).toBeGreaterThanOrEqual(missing?.firstSeen.getTime() ?? Number.NaN);
    expect(errorsOf(status.errors, 'refused')[0]).toMatchObject({ scope: 'discovery', code: 'NETWORK' });
    for (const e of errorsOf(status.errors, 'revoked').filter((x) => x.scope === 'follow')) {
      expect(e.code).toBe('FORBIDDEN');
      expect(e.key.startsWith(`${placeOf('revoked')}/`)).toBe(true);
    }
    expect(errorsOf(status.errors, 'good')).toEqual([]);

    // On the event stream: the same typed reports, one more in a row each time, waiting a back-off
    // of core's full jitter (at most 100 ms doubled per failure, at most 400).
    for (const cloud of ['missing', 'refused']) {
      const f = failures(placeOf(cloud)).filter((e) => e.type === 'discovery-failed');
      expect(f.slice(0, 2).map((e) => e.count)).toEqual([1, 2]);
      for (const e of f) {
        expect(e.account).toBe(`openstack-heat:${cloud}:-`);
        expect(e.lastSeen).toBeInstanceOf(Date);
        expect(e.retryInMs).toBeGreaterThanOrEqual(1);
        expect(e.retryInMs).toBeLessThanOrEqual(Math.min(400, 100 * 2 ** (e.count - 1)));
      }
    }
    expect(
      failures(placeOf('revoked'))
        .filter((e) => e.type === 'failed')
        .every((e) => e.code === 'FORBIDDEN'),
    ).toBe(true);
    expect(failures(placeOf('good'))).toEqual([]);

    // The credential is valid again: the revoked account's targets resume from their checkpoints.
    revoked = false;
    await until(async () => {
      const s = await fleet.status();
      return (
        s.targets.filter((t) => t.place === placeOf('revoked') && t.state === 'done').length === 2 &&
        errorsOf(s.errors, 'revoked').length === 0
      );
    }, 'the revoked account back and done');
    // The two bad accounts are still reported (and still retried); nothing else is.
    const after = await fleet.status();
    expect([...new Set(after.errors.map((e) => e.account))].sort()).toEqual([
      'openstack-heat:missing:-',
      'openstack-heat:refused:-',
    ]);
    for (const { emu, s } of stacks) {
      const stored = await store.events({ stack: s.id }).toArray({ limit: 1000 });
      expect(
        stored.map((e) => e.id),
        s.name,
      ).toEqual(emu.visibleEvents(s).map((e) => e.id));
    }
  });
});
