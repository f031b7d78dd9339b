/**
 * The contract (issue 14) on spec-built fixtures: wire pages built at test time from the official
 * specs (../spec-fixtures) are served in place of each emulator's event listing and read by the
 * real client. R-enum, R-optional and R-time, every provider target.
 */
import { type StackEvent, StackfeedError } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KITS } from '../spec-fixtures/kits.js';
import { RULES, title } from './rules.js';
import { type LiveTarget, TARGETS, type Target } from './targets.js';

type Json = Record<string, unknown>;

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const at = (i: number) => new Date(T0 + i * 1000);
const UNKNOWN_LITERAL = 'ZZZ_NOVEL_STATUS';

const without = (r: Json, member: string): Json => {
  const out = { ...r };
  delete out[member];
  return out;
};

describe.each(TARGETS.map((t) => [t.id, t] as [string, Target]))('%s', (id, target) => {
  const kit = KITS[target.id];
  let t: LiveTarget;

  beforeAll(async () => {
    t = await target.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** List the target's events with `records` served as the one page of the listing. */
  async function read(records: Json[]): Promise<StackEvent[]> {
    t.serve(kit.page(records));
    try {
      const pageSize = t.capabilities.pageSize ? { pageSize: Math.min(1000, t.capabilities.pageSize.max) } : {};
      return await t.list(pageSize).toArray({ limit: 10_000 });
    } finally {
      t.restore();
    }
  }

  async function refusal(records: Json[]): Promise<StackfeedError | string> {
    try {
      const got = await read(records);
      return `no error: ${got.length} events (${got.map((e) => e.timestamp.toISOString()).join(', ')})`;
    } catch (err) {
      return err instanceof StackfeedError ? err : `not a StackfeedError: ${String(err)}`;
    }
  }

  /** The problem with a refusal, or undefined when it is INVALID_RESPONSE naming `member`. */
  function namesMember(err: StackfeedError | string, member: string): string | undefined {
    if (typeof err === 'string') return `${member}: ${err}`;
    const where = `${String((err as { fieldPath?: unknown }).fieldPath ?? '')} ${err.message}`;
    if (err.code !== 'INVALID_RESPONSE') return `${member}: ${err.code} ${err.message}`;
    if (!where.includes(member)) return `${member}: INVALID_RESPONSE does not name it (${where.trim()})`;
    return undefined;
  }

  // ----------------------------------------------------------------------------------------- R-enum

  it(title('enum', `every documented status maps to a real phase (${kit.statuses.length} values)`), async () => {
    const events = await read(kit.statuses.map((s, i) => kit.full(i, s, at(i))));
    const byStatus = new Map(events.map((e) => [e.status, e]));
    const problems = kit.statuses.flatMap((s) => {
      const ev = byStatus.get(s);
      if (!ev) return [`${s}: no event (status literal not kept?)`];
      return ev.phase === 'UNKNOWN' ? [`${s}: UNKNOWN`] : [];
    });
    expect(problems, problems.join(' | ')).toEqual([]);
  });

  if (kit.hook && kit.hookStatuses) {
    const hook = kit.hook;
    const hookStatuses = kit.hookStatuses;
    it(title('enum', 'hook events (HookStatus only) map to a real phase and keep the literal'), async () => {
      const events = await read(hookStatuses.map((s, i) => hook(i, s, at(i))));
      expect(events.length).toBe(hookStatuses.length);
      const problems = hookStatuses.flatMap((s, i) => {
        const ev = events.find((e) => e.timestamp.getTime() === at(i).getTime());
        if (!ev) return [`${s}: no event`];
        return [
          ...(ev.phase === 'UNKNOWN' ? [`${s}: phase UNKNOWN`] : []),
          ...(ev.status !== s ? [`${s}: status ${JSON.stringify(ev.status)}`] : []),
        ];
      });
      expect(problems, problems.join(' | ')).toEqual([]);
    });
  }

  it(title('enum', 'an unknown literal maps to UNKNOWN and keeps the literal'), async () => {
    const [ev] = await read([kit.full(0, UNKNOWN_LITERAL, at(0))]);
    expect(ev?.phase).toBe('UNKNOWN');
    expect(ev?.status).toBe(UNKNOWN_LITERAL);
  });

  // ------------------------------------------------------------------------------------- R-optional

  it(title('optional', 'a record with every optional member removed parses'), async () => {
    const minimal = [kit.minimal(0, at(0)), kit.minimal(1, at(1))];
    const events = await read(minimal);
    // Where the model makes the time optional too, a minimal record has none: not an event (R-time).
    const timed = minimal.filter((r) => kit.timeMembers.some((m) => m in r)).length;
    expect(events.length).toBe(timed);
  });

  if (kit.timeMembers.every((m) => !kit.required.includes(m))) {
    it(title('optional', 'a record with only a time (every other member removed) is an event'), async () => {
      const member = kit.timeMembers[kit.timeMembers.length - 1] as string;
      const events = await read([{ [member]: kit.time(at(3)) }]);
      expect(events.map((e) => e.timestamp.toISOString())).toEqual([at(3).toISOString()]);
    });
  }

  if (id === 'aws-imagebuilder') {
    it(title('optional', 'nested optional members (snapshots[].snapshotId, resourceId) may be absent'), async () => {
      const r = kit.full(0, 'SUCCESS', at(0));
      delete r.resourceId;
      r.snapshots = [{}, { state: {} }];
      const events = await read([r]);
      expect(events.length).toBe(1);
    });
  }

  it(
    title(
      'optional',
      `a record missing a required member is INVALID_RESPONSE naming it (${kit.required.join(', ') || 'none required'})`,
    ),
    async () => {
      const problems: string[] = [];
      for (const member of kit.required) {
        const d = namesMember(
          await refusal([
            kit.full(0, 'CREATE_COMPLETE', at(0)),
            without(kit.full(1, 'CREATE_COMPLETE', at(1)), member),
          ]),
          member,
        );
        if (d) problems.push(d);
      }
      expect(problems, problems.join(' | ')).toEqual([]);
    },
  );

  // ----------------------------------------------------------------------------------------- R-time

  it(title('time', 'timestamps are the instants the provider sent'), async () => {
    const events = await read([0, 1, 2].map((i) => kit.full(i, kit.statuses[0] as string, at(i))));
    expect(events.map((e) => e.timestamp.toISOString()).sort()).toEqual([0, 1, 2].map((i) => at(i).toISOString()));
  });

  it(title('time', 'a numeric string in a time member is INVALID_RESPONSE naming it'), async () => {
    const problems: string[] = [];
    for (const member of kit.timeMembers) {
      const r = kit.full(1, kit.statuses[0] as string, at(1));
      r[member] = '20260101';
      const err = await refusal([r]);
      // A documented exception still has to refuse the record (see RULES.time.exceptions).
      const excepted = (RULES.time.exceptions as Partial<Record<string, string>>)[id] !== undefined;
      const d =
        excepted && typeof err !== 'string' && err.code === 'INVALID_RESPONSE' ? undefined : namesMember(err, member);
      if (d) problems.push(d);
    }
    expect(problems, problems.join(' | ')).toEqual([]);
  });

  if (id === 'openstack-heat') {
    it(title('time', 'a zone-less event_time (as in the api-ref samples) is UTC'), async () => {
      const r = kit.full(0, 'CREATE_COMPLETE', at(0));
      r.event_time = at(0).toISOString().slice(0, 19);
      const [ev] = await read([r]);
      expect(ev?.timestamp.toISOString()).toBe(at(0).toISOString());
    });
  }

  if (kit.timeMembers.every((m) => !kit.required.includes(m))) {
    it(title('time', 'a record without any time is not emitted (the others are)'), async () => {
      let untimed = kit.full(0, kit.statuses[0] as string, at(0));
      for (const m of kit.timeMembers) untimed = without(untimed, m);
      const events = await read([untimed, kit.full(1, kit.statuses[0] as string, at(1))]);
      expect(events.map((e) => e.timestamp.toISOString())).toEqual([at(1).toISOString()]);
    });
  }
});
