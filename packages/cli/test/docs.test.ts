/**
 * The TypeScript samples of the CLI's and providers' docs compile against the current packages, so
 * the docs cannot rot: each ```ts block becomes a module, typechecked with the repo's settings.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..', '..');
const DOCS = [
  join(repo, 'docs', 'cli.md'),
  ...readdirSync(join(repo, 'docs', 'providers')).map((f) => join(repo, 'docs', 'providers', f)),
].filter((f) => f.endsWith('.md'));

/** The ```ts blocks of a markdown file. */
function samples(file: string): string[] {
  const out: string[] = [];
  const re = /```ts\n([\s\S]*?)```/g;
  const text = readFileSync(file, 'utf8');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? '');
  return out;
}

describe('docs samples', () => {
  it('every provider page has a sample, and all samples typecheck', () => {
    const dir = join(import.meta.dirname, '..', '.tsbuild', 'docs-samples');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let n = 0;
    for (const file of DOCS) {
      const blocks = samples(file);
      if (/providers\/(openstack-heat|huawei-rfs|aws-parallelcluster|aws-imagebuilder)\.md$/.test(file)) {
        expect(blocks.length, file).toBeGreaterThan(0);
      }
      for (const [i, code] of blocks.entries()) {
        const name = `${file.split('/').pop()?.replace('.md', '')}-${i}.ts`;
        writeFileSync(join(dir, name), `// from ${file.slice(repo.length + 1)}\n${code}\nexport {};\n`);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(4);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../../tsconfig.base.json',
        compilerOptions: {
          composite: false,
          noEmit: true,
          declaration: false,
          declarationMap: false,
          emitDeclarationOnly: false,
          noUnusedLocals: false,
        },
        include: ['*.ts'],
      }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
        stdio: 'pipe',
      });
    } catch (err) {
      output = String((err as { stdout?: Buffer }).stdout ?? err);
    }
    expect(output).toBe('');
  }, 180_000);
});
