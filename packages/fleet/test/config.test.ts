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

// Every message the validator can give, with its line:col and key path, in the order it reports them.
describe('stackfeed.yaml: every validation message', () => {
  const report = (text: string) =>
    validateFleetConfig(text, 'x.yaml').issues.map((i) => `${i.file} ${i.line}:${i.col} ${i.path}: ${i.message}`);

  it('top-level keys: unknown, version, fleet, budgets and places of the wrong shape', () => {
    expect(report('version: 2\nfleet: [1]\nbudgets: nope\nplaces: []\nextra: 1\n')).toEqual([
      'x.yaml 5:1 extra: unknown key (expected one of: version, fleet, budgets, places)',
      'x.yaml 1:10 version: only version 1 is known',
      'x.yaml 2:8 fleet: expected a mapping',
      'x.yaml 3:10 budgets: expected a mapping of provider → budget',
      'x.yaml 4:9 places: expected a non-empty list',
    ]);
    expect(report('- 1\n')).toEqual(['x.yaml 1:1 : the file must be a mapping with `places:`']);
    expect(report('version: 1\n')).toEqual(['x.yaml 1:1 places: required: a list of places to follow']);
  });

  it('fleet settings, budgets, accounts, kinds, filters and place budgets', () => {
    const text = `fleet: { leaseTtlMs: -1, discoverEveryMs: 0, pollIntervalMs: x }
budgets:
  aws-imagebuilder: [1]
  openstack-heat: { intervalMs: 5, colour: 1 }
  huawei-rfs: { limit: 1.5, slowdownMs: 0 }
  gcp: { limit: 1 }
places:
  - just-a-string
  - profiles: [a]
  - provider: [aws-imagebuilder]
  - provider: aws-imagebuilder
    profiles: [a, "", a]
    clouds: [c]
    projects: [p]
    regions: [r]
    kinds: [image-build, stack]
    filters: { name: "", tags: [x] }
    budget: 5
  - provider: openstack-heat
    clouds: [c1]
    filters: { name: 7, tags: { a: [1], b: 2, c: true } }
    budget: { limit: 2, intervalMs: 0 }
  - provider: openstack-heat
    clouds: [c1]
    filters: []
  - provider: huawei-rfs
    projects: name
    regions: [r1]
`;
    expect(report(text)).toEqual([
      'x.yaml 1:22 fleet.leaseTtlMs: expected a positive number',
      'x.yaml 1:43 fleet.discoverEveryMs: expected a positive number',
      'x.yaml 1:62 fleet.pollIntervalMs: expected a positive number',
      'x.yaml 6:3 budgets.gcp: unknown key (expected one of: openstack-heat, huawei-rfs, aws-parallelcluster, aws-imagebuilder)',
      'x.yaml 3:21 budgets.aws-imagebuilder: expected a mapping { limit, intervalMs, slowdownMs, transitMs }',
      'x.yaml 4:36 budgets.openstack-heat.colour: unknown key (expected one of: limit, intervalMs, slowdownMs, transitMs)',
      'x.yaml 4:19 budgets.openstack-heat.limit: required',
      'x.yaml 5:24 budgets.huawei-rfs.limit: expected a positive integer',
      'x.yaml 5:41 budgets.huawei-rfs.slowdownMs: expected a positive number',
      'x.yaml 8:5 places[0]: expected a mapping with `provider:`',
      'x.yaml 9:5 places[1].provider: required',
      'x.yaml 10:15 places[2].provider: unknown provider (one of: openstack-heat, huawei-rfs, aws-parallelcluster, aws-imagebuilder)',
      'x.yaml 13:5 places[3].clouds: aws-imagebuilder places name their accounts in `profiles`',
      'x.yaml 14:5 places[3].projects: aws-imagebuilder places name their accounts in `profiles`',
      'x.yaml 12:19 places[3].profiles[1]: expected a name',
      'x.yaml 12:23 places[3].profiles[2]: a is listed twice',
      'x.yaml 16:26 places[3].kinds[1]: aws-imagebuilder has no kind stack (one of: image-build, lifecycle-execution)',
      'x.yaml 17:22 places[3].filters.name: expected a name pattern (glob)',
      'x.yaml 17:32 places[3].filters.tags: expected a mapping of tag → value',
      'x.yaml 18:13 places[3].budget: expected a mapping { limit, intervalMs, slowdownMs, transitMs }',
      'x.yaml 21:22 places[4].filters.name: expected a name pattern (glob)',
      'x.yaml 21:36 places[4].filters.tags.a: expected a tag value',
      'x.yaml 22:37 places[4].budget.intervalMs: expected a positive number',
      'x.yaml 25:14 places[5].filters: expected a mapping { name, tags, activeOnly }',
      'x.yaml 23:5 places[5]: openstack-heat:cloud=c1 is already named by an earlier place',
      'x.yaml 27:15 places[6].projects: expected a non-empty list of names',
    ]);
  });

  it('a place key named twice across places, and a YAML error (its first line only)', () => {
    const places = `places:
  - provider: openstack-heat
    clouds: [c1, c2]
    regions: [r1]
  - provider: openstack-heat
    clouds: [c2]
    regions: [r1, r2]
`;
    expect(report(places)).toEqual([
      'x.yaml 5:5 places[1]: openstack-heat:cloud=c2:region=r1 is already named by an earlier place',
    ]);
    expect(report(`${places}places: []\n`)).toEqual(['x.yaml 8:1 : Map keys must be unique at line 8, column 1:']);
  });

  it('keeps optional regions, tag values as strings, and a place budget over the provider one', () => {
    const { config, issues } = validateFleetConfig(
      `version: 1
fleet: { discoverEveryMs: 1500.5 }
budgets:
  openstack-heat: { limit: 4, intervalMs: 250, slowdownMs: 9000 }
places:
  - provider: openstack-heat
    clouds: [east]
    regions: [RegionOne]
    filters: { tags: { tier: 2, live: true, team: web } }
  - provider: aws-imagebuilder
    profiles: [ci]
    regions: [us-west-2]
    kinds: [lifecycle-execution]
    filters: { activeOnly: false }
    budget: { limit: 1, slowdownMs: 100 }
`,
      'ok.yaml',
    );
    expect(issues).toEqual([]);
    expect(config).toEqual({
      file: 'ok.yaml',
      settings: { leaseTtlMs: 30000, discoverEveryMs: 1500.5, pollIntervalMs: 5000 },
      places: [
        {
          key: 'openstack-heat:cloud=east:region=RegionOne',
          provider: 'openstack-heat',
          cloud: 'east',
          region: 'RegionOne',
          kinds: ['stack'],
          filters: { tags: { tier: '2', live: 'true', team: 'web' } },
          budget: { limit: 4, intervalMs: 250, slowdownMs: 9000, key: 'openstack-heat:east:RegionOne' },
        },
        {
          key: 'aws-imagebuilder:profile=ci:region=us-west-2',
          provider: 'aws-imagebuilder',
          profile: 'ci',
          region: 'us-west-2',
          kinds: ['lifecycle-execution'],
          filters: { activeOnly: false },
          budget: { limit: 1, slowdownMs: 100, key: 'aws-imagebuilder:ci:us-west-2' },
        },
      ],
    });
  });
});
