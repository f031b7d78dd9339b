import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('package boundaries', () => {
  it('depends on core, zod and yaml only: no AWS code, no other adapter', () => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@stackfeed/core', 'yaml', 'zod']);
    for (const file of sources(join(pkgDir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
      for (const spec of imports) {
        expect(
          spec.startsWith('.') ||
            spec.startsWith('node:') ||
            ['@stackfeed/core', '@stackfeed/core/adapter', 'zod', 'yaml'].includes(spec),
          `${file}: ${spec}`,
        ).toBe(true);
      }
    }
  });
});
