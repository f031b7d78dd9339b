import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackfeedError } from '@stackfeed/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFleetConfig, parseFleetConfig, validateFleetConfig } from '../src/index.js';

const GOOD = `version: 1
fleet:
  leaseTtlMs: 20000
  pollIntervalMs: 2000
budgets:
  aws-parallelcluster: { limit: 8 }
places:
  - provider: aws-parallelcluster
    profiles: [dev, prod]
    regions: [us-east-1, eu-west-1]
    kinds: [image]
    filters: { name: "hpc-*", tags: { team: hpc }, activeOnly: true }
  - provider: openstack-heat
    clouds: [devstack]
    budget: { limit: 3, intervalMs: 2000 }
  - provider: huawei-rfs
    projects: [p-123]
    regions: [cn-north-4]
`;

const dir = mkdtempSync(join(tmpdir(), 'sf-fleet-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stackfeed.yaml', () => {
  it('expands profiles × regions into places, each with the budget of its account and region', () => {
    const c = parseFleetConfig(GOOD);
    expect(c.settings).toEqual({ leaseTtlMs: 20000, pollIntervalMs: 2000, discoverEveryMs: 60000 });
    expect(c.places.map((p) => p.key)).toEqual([
      'aws-parallelcluster:profile=dev:region=us-east-1',
      'aws-parallelcluster:profile=dev:region=eu-west-1',
      'aws-parallelcluster:profile=prod:region=us-east-1',
      'aws-parallelcluster:profile=prod:region=eu-west-1',
      'openstack-heat:cloud=devstack',
      'huawei-rfs:project=p-123:region=cn-north-4',
    ]);
    const [first] = c.places;
    expect(first).toMatchObject({
      provider: 'aws-parallelcluster',
      profile: 'dev',
      region: 'us-east-1',
      kinds: ['image'],
      filters: { name: 'hpc-*', tags: { team: 'hpc' }, activeOnly: true },
      budget: { key: 'aws-parallelcluster:dev:us-east-1', limit: 8 },
    });
    expect(c.places[4]).toMatchObject({ cloud: 'devstack', kinds: ['stack'], budget: { limit: 3, intervalMs: 2000 } });
    // No budget named: the default one.
    expect(c.places[5]?.budget).toMatchObject({ key: 'huawei-rfs:p-123:cn-north-4', limit: 5, intervalMs: 1000 });
  });

  it('names the file, line:col and key path of every mistake', () => {
    const bad = `places:
  - provider: aws-parallelcluster
    profiles: [dev]
    kinds: [stack]
  - provider: openstack-heat
    cloud: [x]
  - provider: gcp
    budget: { limit: 0 }
`;
    const { config, issues } = validateFleetConfig(bad, '/etc/stackfeed.yaml');
    expect(config).toBeUndefined();
    const lines = issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    expect(lines).toEqual([
      '2:5 places[0].regions: required',
      '4:13 places[0].kinds[0]: aws-parallelcluster has no kind stack (one of: image, cluster)',
      '6:5 places[1].cloud: unknown key (expected one of: provider, profiles, clouds, projects, regions, kinds, filters, budget)',
      '5:5 places[1].clouds: required',
      '7:15 places[2].provider: unknown provider (one of: openstack-heat, huawei-rfs, aws-parallelcluster, aws-imagebuilder)',
    ]);
    expect(issues.every((i) => i.file === '/etc/stackfeed.yaml')).toBe(true);
    const err = (() => {
      try {
        parseFleetConfig(bad, '/etc/stackfeed.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(StackfeedError.is(err, 'CONFIG')).toBe(true);
    expect((err as Error).message).toContain(
      '/etc/stackfeed.yaml:4:13: places[0].kinds[0]: aws-parallelcluster has no kind stack',
    );
  });

  it('reports YAML syntax errors, wrong types and duplicates with their position', () => {
    expect(validateFleetConfig('places: [\n', 'a.yaml').issues[0]).toMatchObject({ file: 'a.yaml', line: 2 });
    const { issues } = validateFleetConfig(
      `fleet: { leaseTtlMs: soon }
places:
  - provider: huawei-rfs
    projects: [p1, p1]
    regions: []
    filters: { activeOnly: maybe, colour: red }
`,
    );
    expect(issues.map((i) => `${i.line}:${i.col} ${i.path}`)).toEqual([
      '1:22 fleet.leaseTtlMs',
      '4:20 places[0].projects[1]',
      '5:14 places[0].regions',
      '6:35 places[0].filters.colour',
      '6:28 places[0].filters.activeOnly',
    ]);
    expect(validateFleetConfig('- 1\n').issues[0]?.message).toMatch(/mapping with `places:`/);
    expect(validateFleetConfig('version: 1\n').issues[0]).toMatchObject({
      path: 'places',
      message: expect.stringMatching(/^required/),
    });
  });

  it('loadFleetConfig reads a file; a missing one is a CONFIG error naming it', async () => {
    const f = join(dir, 'stackfeed.yaml');
    writeFileSync(f, GOOD);
    expect((await loadFleetConfig(f)).places).toHaveLength(6);
    const err = await loadFleetConfig(join(dir, 'nope.yaml')).catch((e: unknown) => e);
    expect(StackfeedError.is(err, 'CONFIG')).toBe(true);
    expect((err as Error).message).toContain('nope.yaml: cannot be read (ENOENT)');
  });
});
