import type { ExecutionInfo, ImageInfo, StackEvent } from '@stackfeed/core';
import type { Store } from '@stackfeed/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInventory } from '../src/index.js';
import { ENGINES, T0 } from './fixture.js';

const at = (s: number) => new Date(T0 + s * 1000);

function event(
  provider: StackEvent['provider'],
  stack: StackEvent['stack'],
  n: number,
  phase: StackEvent['phase'] = 'IN_PROGRESS',
): StackEvent {
  return {
    provider,
    id: `${stack.id ?? stack.name}-e${n}`,
    timestamp: at(n),
    stack,
    resource: { logicalId: `r${n}` },
    action: 'CREATE',
    phase,
    status: `CREATE_${phase}`,
    raw: {},
  };
}

const IMAGE: ImageInfo = {
  provider: 'aws-parallelcluster',
  id: 'hpc-base',
  name: 'hpc-base',
  state: 'BUILDING',
  status: 'BUILD_IN_PROGRESS',
  artifacts: [],
  stack: { id: 'arn:stack/hpc-base-build', name: 'hpc-base-build' },
  tags: {},
  raw: {},
};

const EXECUTION: ExecutionInfo = {
  provider: 'aws-imagebuilder',
  id: 'lce-1',
  kind: 'lifecycle-execution',
  state: 'FAILED',
  status: 'FAILED',
  raw: {},
};

// Which records become which items: images and executions own their stacks' events, nested stacks
// fold into their top-level stack (or stand alone while it has none), targets attach to their item.
describe('readInventory', () => {
  let store: Store;
  beforeAll(async () => {
    store = await (ENGINES[0] as (typeof ENGINES)[number]).open();
    const records = [
      IMAGE,
      EXECUTION,
      event('aws-parallelcluster', { id: 'arn:stack/hpc-base-build', name: 'hpc-base-build' }, 1),
      event('aws-parallelcluster', { id: 'arn:stack/hpc-base-build', name: 'hpc-base-build' }, 2),
      event('aws-imagebuilder', { id: 'lce-1' }, 3, 'FAILED'),
      event('openstack-heat', { id: 'api-1', name: 'api' }, 4, 'COMPLETE'),
      event('openstack-heat', { id: 'app-2', name: 'app' }, 20),
      event('openstack-heat', { id: 'app-2-child', name: 'app-child', rootId: 'app-2', rootName: 'app' }, 21),
      event('openstack-heat', { id: 'lone-child', name: 'lone-child', rootId: 'gone', rootName: 'gone' }, 5),
    ];
    await store.archive(
      (async function* () {
        yield* records;
      })(),
      { target: 'inventory-test' },
    );
  });
  afterAll(async () => {
    await store?.close();
  });

  it('images, executions, stacks and followed targets, each once, failed first then newest first', async () => {
    const items = await readInventory(store, [
      { provider: 'openstack-heat', kind: 'stack', id: 'app-2', place: 'demo', consoleUrl: 'https://console/app-2' },
      { provider: 'aws-imagebuilder', kind: 'execution', id: 'lce-1', place: 'us-east-1', error: undefined },
      // The same record twice: the second target is an item of its own.
      { provider: 'openstack-heat', kind: 'stack', id: 'app-2', place: 'other' },
      { provider: 'huawei-rfs', kind: 'stack', name: 'never-read', place: 'cn-north-4' },
      // Two items with one provider/place/name: the older one's key gets its id.
      { provider: 'huawei-rfs', kind: 'stack', name: 'never-read', place: 'cn-north-4' },
    ]);
    const shown = items.map((i) => ({
      key: i.key,
      kind: i.kind,
      phase: i.phase,
      status: i.status,
      eventCount: i.eventCount,
      // An image's or execution's time is when it was last seen (now): only its presence is shown.
      lastEventAt: i.kind === 'stack' ? (i.lastEventAt?.toISOString() ?? null) : i.lastEventAt !== null,
      consoleUrl: i.consoleUrl,
    }));
    expect(shown).toEqual([
      // FAILED first; the execution owns the events of its stack lce-1 and takes the target's place.
      {
        key: 'aws-imagebuilder/us-east-1/lce-1',
        kind: 'execution',
        phase: 'FAILED',
        status: 'FAILED',
        eventCount: 1,
        lastEventAt: true,
        consoleUrl: 'https://us-east-1.console.aws.amazon.com/imagebuilder/home?region=us-east-1#/lifecycleExecutions',
      },
      // Then IN_PROGRESS, newest first: the image counts its build stack's events.
      {
        key: 'aws-parallelcluster//hpc-base',
        kind: 'image',
        phase: 'IN_PROGRESS',
        status: 'BUILD_IN_PROGRESS',
        eventCount: 2,
        lastEventAt: true,
        consoleUrl: null,
      },
      // app counts its nested stack's event; the target's console link wins.
      {
        key: 'openstack-heat/demo/app',
        kind: 'stack',
        phase: 'IN_PROGRESS',
        status: 'CREATE_IN_PROGRESS',
        eventCount: 2,
        lastEventAt: '2026-06-01T12:00:21.000Z',
        consoleUrl: 'https://console/app-2',
      },
      // A nested stack whose top-level stack has no events stored stands alone.
      {
        key: 'openstack-heat//lone-child',
        kind: 'stack',
        phase: 'IN_PROGRESS',
        status: 'CREATE_IN_PROGRESS',
        eventCount: 1,
        lastEventAt: '2026-06-01T12:00:05.000Z',
        consoleUrl: null,
      },
      {
        key: 'openstack-heat//api',
        kind: 'stack',
        phase: 'COMPLETE',
        status: 'CREATE_COMPLETE',
        eventCount: 1,
        lastEventAt: '2026-06-01T12:00:04.000Z',
        consoleUrl: null,
      },
      {
        key: 'openstack-heat/other/app-2',
        kind: 'stack',
        phase: 'UNKNOWN',
        status: 'UNKNOWN',
        eventCount: 0,
        lastEventAt: null,
        consoleUrl: null,
      },
      {
        key: 'huawei-rfs/cn-north-4/never-read',
        kind: 'stack',
        phase: 'UNKNOWN',
        status: 'UNKNOWN',
        eventCount: 0,
        lastEventAt: null,
        consoleUrl:
          'https://console.huaweicloud.com/rf/?region=cn-north-4#/console/stack/stackDetail?stackName=never-read',
      },
      {
        key: 'huawei-rfs/cn-north-4/never-read#never-read',
        kind: 'stack',
        phase: 'UNKNOWN',
        status: 'UNKNOWN',
        eventCount: 0,
        lastEventAt: null,
        consoleUrl:
          'https://console.huaweicloud.com/rf/?region=cn-north-4#/console/stack/stackDetail?stackName=never-read',
      },
    ]);
  });

  it('two stacks with one name (a deleted and re-created stack) are two items, each with its own events', async () => {
    const other = await (ENGINES[0] as (typeof ENGINES)[number]).open();
    try {
      const records = [
        event('openstack-heat', { id: 'web-old', name: 'web' }, 1, 'COMPLETE'),
        event('openstack-heat', { id: 'web-old', name: 'web' }, 2, 'COMPLETE'),
        event('openstack-heat', { id: 'web-new', name: 'web' }, 10),
        event('openstack-heat', { id: 'web-new-child', name: 'web-child', rootId: 'web-new', rootName: 'web' }, 11),
      ];
      await other.archive(
        (async function* () {
          yield* records;
        })(),
        { target: 'same-name-test' },
      );
      const items = await readInventory(other, []);
      expect(items.map((i) => ({ key: i.key, id: i.id, phase: i.phase, eventCount: i.eventCount }))).toEqual([
        // The newer one keeps the plain key and counts its nested stack's event.
        { key: 'openstack-heat//web', id: 'web-new', phase: 'IN_PROGRESS', eventCount: 2 },
        { key: 'openstack-heat//web#web-old', id: 'web-old', phase: 'COMPLETE', eventCount: 2 },
      ]);
    } finally {
      await other.close();
    }
  });
});
