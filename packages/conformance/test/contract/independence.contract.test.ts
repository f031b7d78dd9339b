/**
 * The contract is only as good as the peers it runs against: an emulator built from a client's
 * own mapping tables cannot catch that client's mistakes (issue 14). The emulators import no
 * adapter, and no emulator source repeats a run of lines from an adapter's mapping tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));
const ADAPTERS = ['openstack-heat', 'huawei-rfs', 'aws-parallelcluster', 'aws-imagebuilder'];
/** This many consecutive table lines found in one emulator file count as a copy. */
const RUN = 3;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Lines that carry table data (a quoted literal and some length), normalized for comparison. */
const dataLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' ').replace(/,$/, ''))
    .filter((l) => l.length >= 20 && /['"`]/.test(l) && !l.startsWith('//') && !l.startsWith('*'));

describe('independence of the emulators from the clients', () => {
  const emulatorFiles = sources(join(PACKAGES, 'emulator/src'));

  it('no emulator source imports an adapter package', () => {
    const offenders = emulatorFiles.filter((f) =>
      ADAPTERS.some((a) => new RegExp(`from '(@stackfeed/${a}|(\\.\\./)+${a}/)`).test(readFileSync(f, 'utf8'))),
    );
    expect(offenders).toEqual([]);
  });

  it.each(ADAPTERS)("no emulator source repeats %s's mapping tables", (adapter) => {
    const tables = sources(join(PACKAGES, adapter, 'src/mapping'));
    const copies: string[] = [];
    for (const emu of emulatorFiles) {
      const emuLines = new Set(dataLines(readFileSync(emu, 'utf8')));
      for (const table of tables) {
        const lines = dataLines(readFileSync(table, 'utf8'));
        let run = 0;
        for (const l of lines) {
          run = emuLines.has(l) ? run + 1 : 0;
          if (run === RUN)
            copies.push(`${emu.slice(PACKAGES.length)} repeats ${table.slice(PACKAGES.length)} near: ${l}`);
        }
      }
    }
    expect(copies, copies.join(' | ')).toEqual([]);
  });
});
