import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  ACTIONS,
  ActionSchema,
  actionPhaseSplitter,
  applyEventFilters,
  contentId,
  type ExecutionInfo,
  ExecutionInfoSchema,
  EXECUTION_STATES,
  ExecutionStateSchema,
  formatPath,
  IMAGE_STATES,
  type ImageInfo,
  ImageInfoSchema,
  ImageStateSchema,
  PHASES,
  PhaseSchema,
  parseJsonLoose,
  parseTimestamp,
  parseWire,
  resolveSince,
  STACK_STATES,
  type StackEvent,
  StackEventSchema,
  StackfeedError,
  StackInfoSchema,
  StackStateSchema,
  statusTable,
  VERSION,
} from './entry.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function sampleEvent(over: Partial<StackEvent> = {}): StackEvent {
  return {
    provider: 'openstack-heat',
    id: 'ev-1',
    timestamp: new Date('2024-05-01T10:11:12.345Z'),
    stack: { id: 's-1', name: 'web', rootId: 'r-1', rootName: 'root' },
    resource: { logicalId: 'server', physicalId: 'i-123', type: 'OS::Nova::Server', name: 'srv', key: 'k0' },
    action: 'CREATE',
    phase: 'IN_PROGRESS',
    status: 'CREATE_IN_PROGRESS',
    message: 'state changed',
    elapsedSeconds: 1.5,
    properties: { flavor: 'm1.small', nested: [1, 2, { a: null }] },
    isStackEvent: false,
    details: { hint: 'x' },
    raw: { id: 'ev-1', resource_status: 'CREATE_IN_PROGRESS', links: [{ rel: 'self' }] },
    ...over,
  };
}

describe('open enums', () => {
  const cases: Array<[string, z.ZodType, readonly string[]]> = [
    ['PhaseSchema', PhaseSchema, PHASES],
    ['ActionSchema', ActionSchema, ACTIONS],
    ['ImageStateSchema', ImageStateSchema, IMAGE_STATES],
    ['ExecutionStateSchema', ExecutionStateSchema, EXECUTION_STATES],
    ['StackStateSchema', StackStateSchema, STACK_STATES],
  ];
  for (const [name, schema, values] of cases) {
    it(`${name} keeps every known value and maps anything else to UNKNOWN`, () => {
      expect(values).toContain('UNKNOWN');
      for (const v of values) expect(schema.parse(v)).toBe(v);
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.object()),
          (junk) => {
            fc.pre(!(typeof junk === 'string' && values.includes(junk)));
            expect(schema.parse(junk)).toBe('UNKNOWN');
          },
        ),
        { numRuns: 100 },
      );
    });
  }

  it('an event with an unknown phase/action parses, and the literal survives in status', () => {
    const wire = roundTrip(sampleEvent({ status: 'REVIVE_SIDEWAYS' })) as Record<string, unknown>;
    wire.action = 'REVIVE';
    wire.phase = 'SIDEWAYS';
    const ev = StackEventSchema.parse(wire);
    expect(ev.action).toBe('UNKNOWN');
    expect(ev.phase).toBe('UNKNOWN');
    expect(ev.status).toBe('REVIVE_SIDEWAYS');
    const img = ImageInfoSchema.parse({
      provider: 'aws-imagebuilder',
      id: 'arn:img/1',
      state: 'MELTING',
      status: 'MELTING',
      artifacts: [{ kind: 'hologram', id: 'x' }],
      tags: {},
      raw: {},
    });
    expect(img.state).toBe('UNKNOWN');
    expect(img.status).toBe('MELTING');
    expect(img.artifacts[0]?.kind).toBe('other');
  });
});

describe('zod schemas round-trip the model through JSON', () => {
  it('StackEvent', () => {
    const ev = sampleEvent();
    const back = StackEventSchema.parse(roundTrip(ev));
    expect(back).toEqual(ev);
    expect(back.timestamp).toBeInstanceOf(Date);
  });

  it('StackEvent (property: random events)', () => {
    const arbEvent = fc.record({
      provider: fc.constantFrom('aws-parallelcluster', 'aws-imagebuilder', 'huawei-rfs', 'openstack-heat' as const),
      id: fc.string({ minLength: 1 }),
      timestamp: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
      stack: fc.record({ id: fc.string(), name: fc.string() }, { requiredKeys: [] }),
      resource: fc.record({ logicalId: fc.string(), type: fc.string() }, { requiredKeys: [] }),
      action: fc.constantFrom(...ACTIONS),
      phase: fc.constantFrom(...PHASES),
      status: fc.string(),
      raw: fc.jsonValue(),
    });
    fc.assert(
      fc.property(arbEvent, (ev) => {
        const back = StackEventSchema.parse(roundTrip(ev));
        expect(back.timestamp.getTime()).toBe(ev.timestamp.getTime());
        expect(roundTrip(back)).toEqual(roundTrip(ev));
      }),
      { numRuns: 100 },
    );
  });

  it('ImageInfo (dates, nested stack date, artifacts, tags)', () => {
    const img: ImageInfo = {
      provider: 'aws-parallelcluster',
      id: 'img-1',
      name: 'alinux',
      version: '1.0.0',
      region: 'eu-west-1',
      state: 'AVAILABLE',
      status: 'BUILD_COMPLETE',
      reason: 'ok',
      createdAt: new Date('2024-01-02T03:04:05Z'),
      updatedAt: new Date('2024-01-02T04:04:05Z'),
      artifacts: [{ kind: 'ami', id: 'ami-1', region: 'eu-west-1', architecture: 'x86_64', state: 'available' }],
      stack: { id: 'arn:stack', name: 'img-1', status: 'CREATE_COMPLETE', createdAt: new Date('2024-01-02T03:00:00Z') },
      tags: { team: 'hpc' },
      details: { parentImage: 'x' },
      raw: { imageId: 'img-1' },
    };
    const back = ImageInfoSchema.parse(roundTrip(img));
    expect(back).toEqual(img);
    expect(back.stack?.createdAt).toBeInstanceOf(Date);
  });

  it('ExecutionInfo', () => {
    const ex: ExecutionInfo = {
      provider: 'huawei-rfs',
      id: 'dep-1',
      kind: 'deployment',
      state: 'RUNNING',
      status: 'APPLY_IN_PROGRESS',
      startedAt: new Date('2024-03-03T00:00:00.001Z'),
      endedAt: new Date('2024-03-03T00:10:00Z'),
      raw: { deployment_id: 'dep-1' },
    };
    const back = ExecutionInfoSchema.parse(roundTrip(ex));
    expect(back).toEqual(ex);
  });

  it('StackInfo', () => {
    const st = {
      provider: 'openstack-heat' as const,
      id: 'a',
      name: 'web',
      state: 'COMPLETE' as const,
      action: 'UPDATE' as const,
      phase: 'COMPLETE' as const,
      status: 'UPDATE_COMPLETE',
      createdAt: new Date('2024-01-01T00:00:00Z'),
      raw: {},
    };
    expect(StackInfoSchema.parse(roundTrip(st))).toEqual(st);
  });

  it('an invalid date is rejected, not turned into Invalid Date', () => {
    const wire = roundTrip(sampleEvent()) as Record<string, unknown>;
    wire.timestamp = 'not a date';
    expect(StackEventSchema.safeParse(wire).success).toBe(false);
  });

  it('null, booleans and objects are not dates (no silent 1970-01-01)', () => {
    for (const bad of [null, true, false, {}, []]) {
      const wire = roundTrip(sampleEvent()) as Record<string, unknown>;
      wire.timestamp = bad;
      const r = StackEventSchema.safeParse(wire);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      if (!r.success) expect(formatPath(r.error.issues[0]?.path ?? [])).toBe('timestamp');
      const img = {
        provider: 'aws-imagebuilder',
        id: 'i',
        state: 'PENDING',
        status: 'PENDING',
        artifacts: [],
        tags: {},
        raw: {},
        createdAt: bad,
      };
      expect(ImageInfoSchema.safeParse(img).success, JSON.stringify(bad)).toBe(false);
    }
    // epoch milliseconds are fine
    const wire = roundTrip(sampleEvent()) as Record<string, unknown>;
    wire.timestamp = 1_700_000_000_000;
    expect(StackEventSchema.parse(wire).timestamp.toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });
});

describe('statusTable', () => {
  const t = statusTable({ CREATE_COMPLETE: 'COMPLETE', CREATE_FAILED: 'FAILED' } as Record<string, string>, 'UNKNOWN');

  it('maps known literals, case-sensitively, and falls back for the rest', () => {
    expect(t.map('CREATE_COMPLETE')).toBe('COMPLETE');
    expect(t.map('create_complete')).toBe('UNKNOWN');
    expect(t.map(undefined)).toBe('UNKNOWN');
    expect(t.map(null)).toBe('UNKNOWN');
    expect(t.has('CREATE_FAILED')).toBe(true);
    expect(t.has('X')).toBe(false);
  });

  it('does not see Object.prototype names as entries', () => {
    for (const k of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      expect(t.map(k)).toBe('UNKNOWN');
      expect(t.has(k)).toBe(false);
    }
  });

  it('is frozen and copies its input', () => {
    const src: Record<string, string> = { A: 'x' };
    const tt = statusTable(src, 'fb');
    src.A = 'changed';
    src.B = 'added';
    expect(tt.map('A')).toBe('x');
    expect(tt.map('B')).toBe('fb');
    expect(Object.isFrozen(tt.entries)).toBe(true);
  });
});

describe('actionPhaseSplitter', () => {
  const split = actionPhaseSplitter({
    actions: {
      CREATE: 'CREATE',
      UPDATE: 'UPDATE',
      DELETE: 'DELETE',
      ROLLBACK: 'ROLLBACK',
      UPDATE_ROLLBACK: 'ROLLBACK',
    },
    phases: {
      IN_PROGRESS: 'IN_PROGRESS',
      COMPLETE: 'COMPLETE',
      FAILED: 'FAILED',
      COMPLETE_CLEANUP_IN_PROGRESS: 'IN_PROGRESS',
      SKIPPED: 'SKIPPED',
    },
  });

  it('splits on the longest known suffix', () => {
    expect(split('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')).toEqual({ action: 'ROLLBACK', phase: 'IN_PROGRESS' });
    expect(split('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toEqual({ action: 'UPDATE', phase: 'IN_PROGRESS' });
    expect(split('UPDATE_ROLLBACK_COMPLETE')).toEqual({ action: 'ROLLBACK', phase: 'COMPLETE' });
    expect(split('CREATE_IN_PROGRESS')).toEqual({ action: 'CREATE', phase: 'IN_PROGRESS' });
    expect(split('DELETE_SKIPPED')).toEqual({ action: 'DELETE', phase: 'SKIPPED' });
  });

  it('hands out one frozen result per literal; past its bound it still splits every literal right', () => {
    const a = split('CREATE_IN_PROGRESS');
    expect(split('CREATE_IN_PROGRESS')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(split(undefined))).toBe(true);
    // A server inventing literals: many more than the splitter remembers, each still split.
    for (let i = 0; i < 1000; i++) {
      expect(split(`X${i}_FAILED`)).toEqual({ action: 'UNKNOWN', phase: 'FAILED' });
      expect(split(`UPDATE_Y${i}`)).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    }
    expect(split('CREATE_IN_PROGRESS')).toBe(a);
    expect(split('DELETE_COMPLETE')).toEqual({ action: 'DELETE', phase: 'COMPLETE' });
  });

  it('gives UNKNOWN for the half it does not know, never throws', () => {
    expect(split('LAUNCH_COMPLETE')).toEqual({ action: 'UNKNOWN', phase: 'COMPLETE' });
    expect(split('CREATE_WOBBLING')).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    expect(split('CREATE')).toEqual({ action: 'CREATE', phase: 'UNKNOWN' });
    expect(split('COMPLETE')).toEqual({ action: 'UNKNOWN', phase: 'COMPLETE' });
    expect(split('')).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    expect(split(undefined)).toEqual({ action: 'UNKNOWN', phase: 'UNKNOWN' });
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = split(s);
        expect(ACTIONS).toContain(r.action);
        expect(PHASES).toContain(r.phase);
      }),
    );
  });

  it('every action × phase combination maps back to its parts (property)', () => {
    const actions = ['CREATE', 'UPDATE', 'DELETE', 'ROLLBACK', 'UPDATE_ROLLBACK'] as const;
    const phases = ['IN_PROGRESS', 'COMPLETE', 'FAILED', 'COMPLETE_CLEANUP_IN_PROGRESS', 'SKIPPED'] as const;
    for (const a of actions)
      for (const p of phases) {
        const r = split(`${a}_${p}`);
        expect(r.action).toBe(a === 'UPDATE_ROLLBACK' ? 'ROLLBACK' : a);
        expect(r.phase).toBe(p === 'COMPLETE_CLEANUP_IN_PROGRESS' ? 'IN_PROGRESS' : p);
      }
  });
});

describe('parseWire', () => {
  const Wire = z.object({
    events: z.array(
      z.object({ id: z.string(), event_time: z.string(), links: z.array(z.object({ href: z.string() })) }),
    ),
  });

  it('returns the parsed value when it matches', () => {
    const data = { events: [{ id: 'a', event_time: 't', links: [] }] };
    expect(parseWire(Wire, data, { provider: 'openstack-heat', operation: 'listStackEvents' })).toEqual(data);
  });

  it('throws INVALID_RESPONSE naming the field path', () => {
    const data = {
      events: [
        { id: 'a', event_time: 't', links: [] },
        { id: 'b', event_time: 't', links: [{ href: 'x' }, { href: 7 }] },
      ],
    };
    let err: unknown;
    try {
      parseWire(Wire, data, { provider: 'openstack-heat', operation: 'listStackEvents', requestId: 'req-9' });
    } catch (e) {
      err = e;
    }
    expect(StackfeedError.is(err, 'INVALID_RESPONSE')).toBe(true);
    const e = err as StackfeedError;
    expect(e.fieldPath).toBe('events[1].links[1].href');
    expect(e.message).toContain('events[1].links[1].href');
    expect(e.message).toContain('listStackEvents');
    expect(e.provider).toBe('openstack-heat');
    expect(e.requestId).toBe('req-9');
    expect(e.retryable).toBe(false);
  });

  it('a missing required field names it; a non-object root is (root)', () => {
    expect(() =>
      parseWire(Wire, { events: [{ id: 'a', links: [] }] }, { provider: 'huawei-rfs', operation: 'op' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE', fieldPath: 'events[0].event_time' }));
    expect(() => parseWire(Wire, 'html', { provider: 'huawei-rfs', operation: 'op' })).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE', fieldPath: '(root)' }),
    );
  });

  it('formatPath', () => {
    expect(formatPath(['events', 3, 'event_time'])).toBe('events[3].event_time');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });
});

describe('parseTimestamp', () => {
  const iso = (v: unknown) => parseTimestamp(v)?.toISOString();

  it('the canonical-UTC fast path gives exactly what the general parser gives', async () => {
    const { parseTimestampGeneral } = await import('../src/mapping/wire.js');
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const stamp = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
        two(13),
        two(32),
        two(24),
        two(60),
        two(61),
        fc.option(fc.stringMatching(/^[0-9]{1,4}$/), { nil: undefined }),
        fc.constantFrom('Z', ''),
      )
      .map(([y, mo, d, h, mi, se, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${se}${f === undefined ? '' : `.${f}`}${z}`);
    fc.assert(
      fc.property(stamp, (t) => {
        expect(parseTimestamp(t)?.getTime()).toBe(parseTimestampGeneral(t)?.getTime());
      }),
      { numRuns: 5000 },
    );
    // Near misses: one character of a canonical stamp replaced, inserted or removed.
    const odd = fc.constantFrom(...'0123456789-:TtZz. +x\u0663\uff10'.split(''));
    const nearMiss = fc
      .tuple(stamp, fc.nat(), odd, fc.constantFrom('replace', 'insert', 'delete'))
      .map(([t, at, c, how]) => {
        const i = at % (t.length + 1);
        if (how === 'insert') return t.slice(0, i) + c + t.slice(i);
        if (how === 'delete') return t.slice(0, i) + t.slice(i + 1);
        return t.slice(0, i) + c + t.slice(i + 1);
      });
    fc.assert(
      fc.property(nearMiss, (t) => {
        expect(parseTimestamp(t)?.getTime()).toBe(parseTimestampGeneral(t)?.getTime());
      }),
      { numRuns: 20000 },
    );
    expect(iso('2024-02-29T23:59:59.5Z')).toBe('2024-02-29T23:59:59.500Z');
    expect(iso('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(iso('2026-11-23T19:03:08')).toBe('2026-11-23T19:03:08.000Z');
    expect(iso('0099-01-01T00:00:00Z')).toBe('0099-01-01T00:00:00.000Z');
  });
  afterEach(() => {
    delete process.env.TZ;
  });

  it('zone-less ISO is UTC (T or space, with or without fractions)', () => {
    process.env.TZ = 'Asia/Tokyo';
    expect(iso('2024-01-01T00:00:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(iso('2024-01-01 10:20:30.123')).toBe('2024-01-01T10:20:30.123Z');
    expect(iso('2024-01-01T10:20')).toBe('2024-01-01T10:20:00.000Z');
    expect(iso('2024-01-01T10:20:30.123456')).toBe('2024-01-01T10:20:30.123Z');
  });

  it('zoned ISO and HTTP dates keep their zone', () => {
    expect(iso('2024-01-01T09:00:00+09:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(iso('2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000Z');
    expect(iso('2024-01-01T00:00:00.5-01:00')).toBe('2024-01-01T01:00:00.500Z');
    expect(iso('Mon, 01 Jan 2024 00:00:00 GMT')).toBe('2024-01-01T00:00:00.000Z');
  });

  it('epoch seconds and milliseconds (numbers and numeric strings)', () => {
    expect(iso(1_700_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(iso(1_700_000_000.5)).toBe('2023-11-14T22:13:20.500Z');
    expect(iso(1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(iso('1700000000')).toBe('2023-11-14T22:13:20.000Z');
    expect(iso('1700000000000')).toBe('2023-11-14T22:13:20.000Z');
  });

  it('Date objects pass through; invalid ones do not', () => {
    const d = new Date('2024-02-02T00:00:00Z');
    expect(parseTimestamp(d)).toEqual(d);
    expect(parseTimestamp(new Date(Number.NaN))).toBeUndefined();
  });

  it('garbage gives undefined, never an Invalid Date or a made-up date', () => {
    for (const g of [
      '',
      '   ',
      'garbage',
      'hello 1',
      '12 monkeys',
      'abc 2024',
      '2024-13-45T00:00:00',
      '2024-01-01T25:00:00Z',
      null,
      undefined,
      {},
      [],
      true,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e20,
      -1e20,
    ]) {
      expect(parseTimestamp(g), JSON.stringify(g)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const d = parseTimestamp(v);
        if (d !== undefined) expect(Number.isNaN(d.getTime())).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any valid date through its ISO string and its epoch ms', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (d) => {
        expect(parseTimestamp(d.toISOString())?.getTime()).toBe(d.getTime());
        expect(parseTimestamp(d.toISOString().replace('Z', ''))?.getTime()).toBe(d.getTime());
        expect(parseTimestamp(d.getTime())?.getTime()).toBe(d.getTime());
      }),
    );
  });
});

describe('parseJsonLoose', () => {
  it('parses JSON objects/arrays and leaves everything else alone', () => {
    expect(parseJsonLoose('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonLoose(' [1,2] ')).toEqual([1, 2]);
    expect(parseJsonLoose('{broken')).toBe('{broken');
    expect(parseJsonLoose('plain')).toBe('plain');
    expect(parseJsonLoose(5)).toBe(5);
  });
});

describe('contentId', () => {
  it('is stable for the same content and differs for different content', () => {
    const a = contentId('rfs', ['stack', 'res', '2024-01-01T00:00:00Z', 'CREATE_COMPLETE']);
    expect(contentId('rfs', ['stack', 'res', '2024-01-01T00:00:00Z', 'CREATE_COMPLETE'])).toBe(a);
    expect(a.startsWith('rfs-')).toBe(true);
    expect(contentId('rfs', ['stack', 'res', '2024-01-01T00:00:00Z', 'CREATE_FAILED'])).not.toBe(a);
    expect(contentId('other', ['stack', 'res', '2024-01-01T00:00:00Z', 'CREATE_COMPLETE'])).not.toBe(a);
  });

  it('does not confuse part boundaries, undefined and null, or string and number', () => {
    const ids = [
      contentId('x', ['ab', 'c']),
      contentId('x', ['a', 'bc']),
      contentId('x', ['abc']),
      contentId('x', ['a\u0001bc']),
      contentId('x', [undefined]),
      contentId('x', [null]),
      contentId('x', []),
      contentId('x', ['1']),
      contentId('x', [1]),
      contentId('x', ['u']),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not depend on the key order of object parts', () => {
    expect(contentId('x', [{ a: 1, b: { c: 2, d: 3 } }])).toBe(contentId('x', [{ b: { d: 3, c: 2 }, a: 1 }]));
  });

  it('is the same in another process (no per-process salt)', async () => {
    const { execFileSync } = await import('node:child_process');
    const parts = ['s', 3, null, { k: 'v' }];
    const here = contentId('p', parts);
    const script = `import { contentId } from ${JSON.stringify(new URL('../src/util/hash.ts', import.meta.url).href)};
      process.stdout.write(contentId('p', ${JSON.stringify(parts)}));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(out).toBe(here);
  });

  it('has no collisions over many random inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.array(fc.jsonValue(), { maxLength: 4 }), {
          minLength: 2,
          maxLength: 30,
          selector: (p) => JSON.stringify(p),
        }),
        (list) => {
          const ids = list.map((p) => contentId('x', p));
          expect(new Set(ids).size).toBe(list.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('resolveSince', () => {
  const now = Date.parse('2024-06-01T12:00:00Z');
  afterEach(() => {
    delete process.env.TZ;
  });

  it('durations count back from now', () => {
    expect(resolveSince('90s', now)?.toISOString()).toBe('2024-06-01T11:58:30.000Z');
    expect(resolveSince('10m', now)?.toISOString()).toBe('2024-06-01T11:50:00.000Z');
    expect(resolveSince('2h', now)?.toISOString()).toBe('2024-06-01T10:00:00.000Z');
    expect(resolveSince('1d', now)?.toISOString()).toBe('2024-05-31T12:00:00.000Z');
    expect(resolveSince('1.5h', now)?.toISOString()).toBe('2024-06-01T10:30:00.000Z');
    expect(resolveSince('250ms', now)?.getTime()).toBe(now - 250);
    expect(resolveSince(' 5 m ', now)?.getTime()).toBe(now - 300_000);
  });

  it('dates, epoch ms and ISO strings are absolute', () => {
    const d = new Date('2024-01-01T00:00:00Z');
    expect(resolveSince(d, now)).toBe(d);
    expect(resolveSince(d.getTime(), now)?.getTime()).toBe(d.getTime());
    expect(resolveSince('2024-01-01T00:00:00Z', now)?.getTime()).toBe(d.getTime());
    expect(resolveSince(undefined, now)).toBeUndefined();
  });

  it('a zone-less ISO string is UTC, as everywhere else in stackfeed', () => {
    process.env.TZ = 'America/New_York';
    expect(resolveSince('2024-01-01T00:00:00', now)?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('rejects what it cannot read', () => {
    for (const bad of ['yesterday', '10 parsecs', '-5m', '', 'hello 1']) {
      expect(() => resolveSince(bad, now), bad).toThrow(TypeError);
    }
    expect(() => resolveSince(new Date(Number.NaN), now)).toThrow(TypeError);
    expect(() => resolveSince(Number.NaN, now)).toThrow(TypeError);
  });
});

describe('applyEventFilters', () => {
  const ev = (over: Partial<StackEvent>) => sampleEvent(over);
  const events = [
    ev({
      id: '1',
      timestamp: new Date('2024-01-01T00:00:00Z'),
      resource: { logicalId: 'a', type: 'T1' },
      phase: 'COMPLETE',
    }),
    ev({
      id: '2',
      timestamp: new Date('2024-01-02T00:00:00Z'),
      resource: { logicalId: 'b', type: 'T2' },
      phase: 'FAILED',
    }),
    ev({
      id: '3',
      timestamp: new Date('2024-01-03T00:00:00Z'),
      resource: { name: 'c', type: 'T1' },
      phase: 'IN_PROGRESS',
    }),
  ];
  const ids = (f: ((e: StackEvent) => boolean) | undefined) => events.filter((e) => (f ? f(e) : true)).map((e) => e.id);

  it('no filters → no predicate', () => {
    expect(applyEventFilters({})).toBeUndefined();
    expect(applyEventFilters({ phase: 'FAILED' }, ['phase'])).toBeUndefined();
  });

  it('since is inclusive', () => {
    expect(ids(applyEventFilters({ since: new Date('2024-01-02T00:00:00Z') }))).toEqual(['2', '3']);
  });

  it('resourceName matches logicalId or name; arrays are OR', () => {
    expect(ids(applyEventFilters({ resourceName: 'a' }))).toEqual(['1']);
    expect(ids(applyEventFilters({ resourceName: 'c' }))).toEqual(['3']);
    expect(ids(applyEventFilters({ resourceName: ['a', 'c'] }))).toEqual(['1', '3']);
  });

  it('resourceType and phase; filters combine with AND', () => {
    expect(ids(applyEventFilters({ resourceType: 'T1' }))).toEqual(['1', '3']);
    expect(ids(applyEventFilters({ phase: ['FAILED', 'IN_PROGRESS'] }))).toEqual(['2', '3']);
    expect(ids(applyEventFilters({ resourceType: 'T1', phase: 'COMPLETE' }))).toEqual(['1']);
  });

  it('filters the server applied are not applied again', () => {
    expect(ids(applyEventFilters({ resourceType: 'T1', phase: 'COMPLETE' }, ['phase']))).toEqual(['1', '3']);
    expect(ids(applyEventFilters({ since: new Date('2030-01-01'), resourceName: 'b' }, ['since']))).toEqual(['2']);
  });
});

describe('VERSION', () => {
  it('equals packages/core/package.json version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
