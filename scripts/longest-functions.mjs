#!/usr/bin/env node
// Lists the functions, methods and arrow functions longer than N lines in the given folders (the
// TypeScript compiler API parses each file; test/, dist/, node_modules/ and *.d.ts are skipped).
//
//   node scripts/longest-functions.mjs [--max 80] [--json] [dirs…]   (default dirs: packages)
//
// With --max, exits 1 when any function is longer than N lines (a CI gate); without it, N is 80
// and the script only reports.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SKIP_DIRS = new Set(['test', 'dist', 'node_modules', 'coverage', '.turbo']);

function parseArgs(argv) {
  const opts = { max: 80, gate: false, json: false, dirs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--max') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--max needs a whole number of lines, not "${argv[i]}"`);
      opts.max = n;
      opts.gate = true;
    } else if (a === '--json') opts.json = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.dirs.push(a);
  }
  if (opts.dirs.length === 0) opts.dirs.push('packages');
  return opts;
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(name)) yield* sourceFiles(path);
    } else if (/\.(c|m)?tsx?$/.test(name) && !/\.d\.(c|m)?ts$/.test(name)) yield path;
  }
}

/** A readable name: the declaration's own, else what it is assigned to or passed as. */
function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  const p = node.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))
    return p.name.getText(sf);
  if (ts.isCallExpression(p)) return `(callback of ${p.expression.getText(sf).slice(0, 40)})`;
  return '(anonymous)';
}

function longFunctions(file, max) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const lines = end - start + 1;
      if (lines > max) found.push({ file, line: start, lines, name: nameOf(node, sf) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`longest-functions: ${err.message}\n`);
  process.exit(2);
}
const all = [];
for (const dir of opts.dirs) for (const file of sourceFiles(resolve(dir))) all.push(...longFunctions(file, opts.max));
all.sort((a, b) => b.lines - a.lines);
const rows = all.map((f) => ({ ...f, file: relative(process.cwd(), f.file) }));
if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
else {
  for (const f of rows) process.stdout.write(`${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}\n`);
  process.stdout.write(`${rows.length} function(s) over ${opts.max} lines in ${opts.dirs.join(', ')}\n`);
}
if (opts.gate && rows.length > 0) process.exitCode = 1;
