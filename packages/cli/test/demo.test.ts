import { describe, expect, it } from 'vitest';
import { Ctx } from '../src/context.js';
import { demoCommand } from '../src/commands/demo.js';
import { BufferWriter, EXIT } from '../src/index.js';
import { BUILTIN_PROVIDERS, providerEntries } from '../src/providers/registry.js';
import { fakePlugin } from './fake-provider.js';
import { cli, records } from './helpers.js';

describe('stackfeed demo', () => {
  it('plays every provider on its emulator and tails them as one time-ordered stream, then the finals', async () => {
    const r = await cli(['demo', '--speed', '20', '--output', 'ndjson']);
    expect(r.err).not.toMatch(/stackfeed: [A-Z_]+ \[/); // no call failed
    expect(r.code).toBe(EXIT.OK);
    const recs = records(r.out);
    const events = recs.filter((x) => x.type === 'event');
    const providers = BUILTIN_PROVIDERS.map((p) => p.id);
    for (const p of providers)
      expect(
        events.some((e) => e.provider === p),
        p,
      ).toBe(true);
    const ts = events.map((e) => Date.parse(e.timestamp as string));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));

    // Each scenario ended as scripted.
    const results = Object.fromEntries(recs.filter((x) => x.type === 'result').map((x) => [x.provider, x]));
    expect(results['aws-parallelcluster']).toMatchObject({ outcome: 'succeeded', status: 'BUILD_COMPLETE' });
    expect(results['aws-imagebuilder']).toMatchObject({ outcome: 'succeeded', status: 'SUCCESS' });
    expect(results['huawei-rfs']).toMatchObject({ outcome: 'failed', status: 'ROLLBACK_COMPLETE' });
    expect(results['openstack-heat']).toMatchObject({ outcome: 'succeeded', status: 'CREATE_COMPLETE' });

    // The RFS failure and rollback, and the Heat nested stack, are in the stream.
    const rfs = events.filter((e) => e.provider === 'huawei-rfs');
    expect(rfs.some((e) => e.phase === 'FAILED')).toBe(true);
    expect(rfs.some((e) => e.action === 'DELETE' && e.phase === 'COMPLETE')).toBe(true);
    const heat = events.filter((e) => e.provider === 'openstack-heat');
    expect(
      heat.some(
        (e) =>
          (e.stack as { name?: string; rootName?: string }).rootName === 'web' &&
          (e.stack as { name?: string }).name !== 'web',
      ),
    ).toBe(true);

    // The final ImageInfo and ExecutionInfo, read again through the SDK.
    expect(recs.find((x) => x.type === 'image')).toMatchObject({
      provider: 'aws-parallelcluster',
      id: 'rocky9-hpc',
      state: 'AVAILABLE',
      artifacts: [expect.objectContaining({ kind: 'ami', id: expect.stringMatching(/^ami-/) })],
    });
    expect(recs.find((x) => x.type === 'execution')).toMatchObject({
      provider: 'aws-imagebuilder',
      kind: 'lifecycle',
      state: 'SUCCEEDED',
    });
    // Nothing but loopback.
    expect(r.err).toContain('http://127.0.0.1:');
    expect(r.err).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z0-9.-]+:\d+/);
  }, 60_000);

  it('the table output shows the scenarios, the summary and the final records', async () => {
    const r = await cli(['demo', '--speed', '40']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toMatch(/▶ pcluster +ParallelCluster image build "rocky9-hpc"/);
    expect(r.out).toMatch(/time \(UTC\) +provider +stack +resource +action +phase +reason/);
    expect(r.out).toContain('ImageInfo (aws-parallelcluster)');
    expect(r.out).toContain('ExecutionInfo');
    expect(r.err).toMatch(/✖ rfs shop-db: ROLLBACK_COMPLETE \(failed\).*\[failure scripted by the demo\]/);
    expect(r.err).toMatch(/✔ heat web: CREATE_COMPLETE \(succeeded\)/);
  }, 60_000);

  it('says which providers are not available and plays the others', async () => {
    // Two providers not wired, one without a scenario: the demo names them and plays the fourth.
    const entries = providerEntries([fakePlugin('openstack-heat', 'heat', () => 'http://127.0.0.1:9')]).map((e) =>
      e.id === 'huawei-rfs' || e.id === 'aws-imagebuilder' ? { id: e.id, aliases: e.aliases, title: e.title } : e,
    );
    const out = new BufferWriter();
    const err = new BufferWriter();
    const ctx = new Ctx({ stdout: out, stderr: err, env: {} }, entries, {});
    const code = await demoCommand(ctx, { speed: '40' });
    expect(code, err.text + out.text).toBe(EXIT.OK);
    expect(out.text).toMatch(/rfs +Huawei Cloud RFS: not available in this build yet/);
    expect(out.text).toMatch(/imagebuilder +EC2 Image Builder: not available in this build yet/);
    expect(out.text).toMatch(/heat +Fake heat: no emulator scenario yet/);
    expect(out.text).toContain('Not in this demo yet: EC2 Image Builder, Huawei Cloud RFS, Fake heat.');
    expect(out.text).toMatch(/pcluster +rocky9-hpc/);
  }, 60_000);
});
