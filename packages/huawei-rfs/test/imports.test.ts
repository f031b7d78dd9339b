import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

describe('dependencies of the adapter', () => {
  it('imports only @stackfeed/core, zod and node built-ins (no Huawei SDK, no AWS code, no other adapter)', () => {
    const specifiers = new Set<string>();
    for (const f of files(SRC)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
        specifiers.add(m[1] as string);
      }
      for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.add(m[1] as string);
      expect(text).not.toMatch(/\brequire\(/);
    }
    const external = [...specifiers].filter((s) => !s.startsWith('.'));
    expect(external.length).toBeGreaterThan(0);
    for (const s of external)
      expect(['@stackfeed/core', '@stackfeed/core/adapter', 'zod'].includes(s) || s.startsWith('node:'), s).toBe(true);
  });
});
