import { stripVTControlCharacters } from 'node:util';
import { type HeatEmulator, nestedUpdateRollbackScripts, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../src/index.js';
import { cli, records } from './helpers.js';

const EPOCH = Date.UTC(2026, 0, 1);
let emu: HeatEmulator;

beforeAll(async () => {
  emu = await startHeatEmulator({ epochMs: EPOCH });
  const parent = emu.addStack('shop', [
    { atMs: 0, resource: 'shop', status: 'CREATE_IN_PROGRESS', reason: 'Stack CREATE started' },
    { atMs: 1000, resource: 'db', status: 'CREATE_IN_PROGRESS', reason: 'state changed' },
    { atMs: 95_000, resource: 'db', status: 'CREATE_COMPLETE', reason: 'state changed' },
    { atMs: 96_000, resource: 'shop', status: 'CREATE_COMPLETE', reason: 'Stack CREATE completed successfully' },
  ]);
  const nested = emu.addStack('shop-db-x1', [], { parent: parent.id, parentResource: 'db' });
  const update = nestedUpdateRollbackScripts('shop', 'db', 'shop-db-x1', 'volume', { startMs: 200_000 });
  emu.addEvents(parent, update.parent);
  emu.addEvents(nested, update.nested);
  emu.advance(400_000);
});
afterAll(() => emu.close());

/** An RFS emulator whose stack `db` has deployed, failed and rolled back; the CLI's environment for it. */
async function withFailedRfsStack(
  fn: (rfs: { url: string }, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const { startRfsEmulator, deploymentFailsAndRollsBack } = await import('@stackfeed/emulator/rfs');
  const keys = { accessKey: 'CLIDEPLOYACCESSKEY01', secretKey: 'cli-deploy-secret-key' };
  const rfs = await startRfsEmulator({
    credentials: { aksk: [keys] },
    scenarios: [deploymentFailsAndRollsBack({ stackName: 'db' })],
    progress: 'manual',
  });
  try {
    rfs.finish();
    await fn(rfs, {
      HUAWEICLOUD_SDK_AK: keys.accessKey,
      HUAWEICLOUD_SDK_SK: keys.secretKey,
      HUAWEICLOUD_SDK_PROJECT_ID: rfs.projectId,
      HUAWEICLOUD_SDK_REGION: 'cn-north-4',
    });
  } finally {
    await rfs.close();
  }
}

describe('stackfeed deployments', () => {
  it('lists a stack’s deployments newest first, with the nested root cause, as ndjson and json', async () => {
    const r = await cli(['deployments', 'heat', 'shop', '--endpoint', emu.heatUrl, '-o', 'ndjson']);
    expect(r.code, r.err).toBe(EXIT.OK);
    const list = records(r.out);
    expect(list.map((d) => [d.type, d.action, d.outcome])).toEqual([
      ['deployment', 'UPDATE', 'rolled-back'],
      ['deployment', 'CREATE', 'succeeded'],
    ]);
    expect(list[0]?.rootCause).toMatchObject({
      stack: expect.objectContaining({ name: 'shop-db-x1' }),
      resource: expect.objectContaining({ logicalId: 'volume' }),
      reason: 'Error: resources.volume: Test Resource failed',
    });
    expect(list[1]?.durationSeconds).toBe(96);

    const json = await cli(['deployments', 'heat', 'shop', '--endpoint', emu.heatUrl, '-o', 'json', '--limit', '1']);
    expect(json.code, json.err).toBe(EXIT.OK);
    expect(JSON.parse(json.out)).toHaveLength(1);
  });

  it('reads a stack named by name in 2 requests at Heat: the listing, through Heat’s lookup redirect', async () => {
    emu.server.requests.length = 0;
    const r = await cli(['deployments', 'heat', 'shop', '--endpoint', emu.heatUrl, '-o', 'json']);
    expect(r.code, r.err).toBe(EXIT.OK);
    expect(JSON.parse(r.out)).toHaveLength(2);
    const shop = [...emu.stacks.values()].find((s) => s.name === 'shop');
    expect(emu.server.requests.map((q) => q.path.replace(new URL(emu.heatUrl).pathname, ''))).toEqual([
      '/stacks/shop/events',
      `/stacks/shop/${shop?.id}/events`,
    ]);
  });

  it('prints a table with the root cause whole, wrapped to the terminal', async () => {
    const r = await cli(['deployments', 'heat', 'shop', '--endpoint', emu.heatUrl], { tty: true });
    expect(r.code, r.err).toBe(EXIT.OK);
    const plain = stripVTControlCharacters(r.out);
    expect(plain).toMatch(/root cause/);
    expect(plain).toMatch(/1m36s/);
    expect(plain.split('\n').every((line) => line.length <= 100)).toBe(true);
    // Wrapped, not cut: every word of the reason is on screen.
    const flat = plain.replace(/[│┌┐└┘├┤┬┴┼─\s]+/g, ' ');
    expect(flat).toContain('Test Resource failed');
  });

  it('is NOT_FOUND (exit 1, one line) for a stack that does not exist, and usage (2) without a target', async () => {
    const missing = await cli(['deployments', 'heat', 'nosuch', '--endpoint', emu.heatUrl]);
    expect(missing.code).toBe(EXIT.CALL_FAILED);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/NOT_FOUND/);
    const usage = await cli(['deployments', 'heat']);
    expect(usage.code).toBe(EXIT.USAGE);
  });

  it('lists an RFS stack’s deployments: the failed one with its root cause first', async () => {
    await withFailedRfsStack(async (rfs, env) => {
      const r = await cli(['deployments', 'rfs', 'db', '--endpoint', rfs.url, '-o', 'ndjson'], { env });
      expect(r.code, r.err).toBe(EXIT.OK);
      const list = records(r.out);
      expect(list.length).toBeGreaterThan(0);
      const failed = list.find((d) => d.outcome === 'failed' || d.outcome === 'rolled-back');
      expect(failed?.rootCause).toBeDefined();
    });
  });

  it('events --follow ends with the root cause and the slowest resources of the deployment it followed', async () => {
    await withFailedRfsStack(async (rfs, env) => {
      const r = await cli(['events', 'rfs', 'db', '-f', '--endpoint', rfs.url, '-o', 'ndjson'], { env });
      const lines = r.err.trim().split('\n');
      expect(
        lines.find((l) => /root cause/.test(l)),
        r.err,
      ).toMatch(/^ {2}root cause db\/server\[api\]: /);
      expect(
        lines.find((l) => /slowest:/.test(l)),
        r.err,
      ).toMatch(/^ {2}slowest: \S+ \d/);
    });
  });

  it('is a usage error (2) on a malformed Image Builder target', async () => {
    const ib = await cli(['deployments', 'imagebuilder', 'nosuch', '--region', 'us-east-1']);
    expect(ib.code, ib.err).toBe(EXIT.USAGE);
  });
});
