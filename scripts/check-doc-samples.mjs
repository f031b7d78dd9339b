#!/usr/bin/env node
// Typecheck the TypeScript samples in the docs, so docs cannot rot: every ```ts block of README.md,
// docs/**/*.md and packages/*/README.md that is a complete module (has an import) is written to
// examples/.doc-samples/ and compiled with tsc against the workspace packages' sources.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'examples', '.doc-samples');
const files = [join(root, 'README.md')];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'api' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.md')) files.push(p);
  }
};
walk(join(root, 'docs'));
for (const pkg of readdirSync(join(root, 'packages'))) {
  const readme = join(root, 'packages', pkg, 'README.md');
  try {
    statSync(readme);
    files.push(readme);
  } catch {}
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let checked = 0;
let fragments = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const re = /```(?:ts|typescript)\n([\s\S]*?)```/g;
  let n = 0;
  for (const m of text.matchAll(re)) {
    n++;
    const code = m[1];
    if (!/^\s*import\s/m.test(code)) {
      fragments++;
      continue;
    }
    const name = `${relative(root, file).replace(/[^a-zA-Z0-9]+/g, '_')}_${n}.ts`;
    writeFileSync(join(out, name), `// from ${relative(root, file)}, sample ${n}\n${code}\nexport {};\n`);
    checked++;
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: {
        composite: false,
        noEmit: true,
        declaration: false,
        declarationMap: false,
        emitDeclarationOnly: false,
        noUnusedLocals: false,
      },
      include: ['*.ts'],
    },
    null,
    2,
  ),
);
console.log(`doc samples: ${checked} complete modules typechecked, ${fragments} fragments (no import) not compiled`);
if (checked > 0) {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('doc samples do not typecheck (see above)');
    process.exit(1);
  }
}
