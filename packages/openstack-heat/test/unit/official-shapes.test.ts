import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HeatEmulator, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HeatClient } from '../../src/index.js';
import { SHARED_DIR } from '../support/peer.js';

/**
 * Heat's api-ref samples (read at run time), as published and with every member the api-ref
 * does not mark `required: true` removed: none of them may be INVALID_RESPONSE.
 */
const APIREF = join(SHARED_DIR, 'specs/heat-apiref');
const params = parse(readFileSync(join(APIREF, 'parameters.yaml'), 'utf8')) as Record<string, { required?: unknown }>;
const sample = (f: string) => JSON.parse(readFileSync(join(APIREF, 'samples', f), 'utf8')) as Record<string, unknown>;
const required = (k: string) => params[k]?.required === true || params[k]?.required === 'true' || k === 'id';
const stripOptional = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => required(k)));

let emu: HeatEmulator;
let heat: HeatClient;
beforeAll(async () => {
  emu = await startHeatEmulator();
  heat = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl, retry: { maxAttempts: 1 } });
});
afterAll(() => emu.close());

const serve = (body: unknown) => emu.server.faults.inject({ kind: 'status', status: 200, body });
const ref = { name: 'teststack', id: '00000000-0000-4000-8000-000000000001' };

const CASES: Array<{ file: string; key: string; list: boolean; call: () => Promise<unknown> }> = [
  {
    file: 'events-list-response.json',
    key: 'events',
    list: true,
    call: () => heat.listStackEvents(ref).toArray({ limit: 100 }),
  },
  { file: 'event-show-response.json', key: 'event', list: false, call: () => heat.getEvent(ref, 'r', 'e') },
  { file: 'stack-show-response.json', key: 'stack', list: false, call: () => heat.getStack(ref) },
  {
    file: 'stacks-list-response.json',
    key: 'stacks',
    list: true,
    call: () => heat.listStacks().toArray({ limit: 100 }),
  },
];

describe("Heat's official shapes", () => {
  for (const c of CASES) {
    it(`${c.file}: as published and with every optional member removed`, async () => {
      const body = sample(c.file);
      serve(body);
      await expect(c.call()).resolves.toBeDefined();
      const item = body[c.key] as Record<string, unknown> | Array<Record<string, unknown>>;
      const stripped = Array.isArray(item) ? item.map(stripOptional) : stripOptional(item);
      const removed = Object.keys(Array.isArray(item) ? (item[0] ?? {}) : item).filter((k) => !required(k));
      if (c.file.startsWith('stack-show')) expect(removed.length).toBeGreaterThan(0);
      serve({ [c.key]: stripped });
      await expect(c.call()).resolves.toBeDefined();
      expect(c.list).toBe(Array.isArray(item));
    });
  }
});
