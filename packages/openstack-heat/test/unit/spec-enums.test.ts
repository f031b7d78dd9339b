import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HeatEmulator, createScript, startHeatEmulator } from '@stackfeed/emulator/heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HeatClient, mapHeatStatus } from '../../src/index.js';
import { SHARED_DIR } from '../support/peer.js';

/** The resource actions Heat's api-ref documents (read from the spec at run time). */
function documentedActions(): string[] {
  const params = parse(readFileSync(join(SHARED_DIR, 'specs/heat-apiref/parameters.yaml'), 'utf8')) as Record<
    string,
    { description?: string }
  >;
  const text = params.resource_action_query?.description ?? '';
  return [...text.matchAll(/``([A-Z_]+)``/g)].map((m) => m[1] as string);
}
const STATUSES = ['IN_PROGRESS', 'COMPLETE', 'FAILED'] as const;

let emu: HeatEmulator;
beforeAll(async () => {
  emu = await startHeatEmulator();
  emu.addStack('s', createScript('s', [{ name: 'r' }]));
  emu.advance(60_000);
});
afterAll(() => emu.close());

describe('every documented action × status', () => {
  it('maps to a real action and phase, and is accepted as a full-form resourceStatus', () => {
    const actions = documentedActions();
    expect(actions.length).toBeGreaterThanOrEqual(11);
    const heat = new HeatClient({ auth: { type: 'none' }, endpoint: emu.heatUrl });
    for (const a of actions) {
      for (const st of STATUSES) {
        const { action, phase } = mapHeatStatus(`${a}_${st}`);
        expect(action, `${a}_${st}`).not.toBe('UNKNOWN');
        expect(phase, `${a}_${st}`).toBe(st);
        expect(() => heat.listStackEvents('s', { resourceStatus: `${a}_${st}` })).not.toThrow();
      }
    }
    expect(mapHeatStatus('FROBNICATE_COMPLETE')).toMatchObject({ action: 'UNKNOWN' });
  });
});
