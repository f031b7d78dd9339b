import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

  it('has no import cycle among its modules (watch.ts and client.ts share src/api/, not each other)', () => {
    const src = join(pkgDir, 'src');
    const graph = new Map<string, string[]>();
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8');
      const local = [...text.matchAll(/from '(\.[^']+)'/g)].map((m) =>
        resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')),
      );
      graph.set(file, local);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(graph.size).toBeGreaterThan(10);
    expect(cycles).toEqual([]);
  });
});
