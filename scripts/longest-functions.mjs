// Lists the functions, methods, constructors, accessors and arrow functions longer than N lines
// (default 80) in the given folders (default packages/), leaving out test/, dist/, node_modules/ and
// *.d.ts. Prints one line per function, longest first, then a count per package.
//   node scripts/longest-functions.mjs [--max 80] [--json] [dirs…]   (--json: the list as one JSON array)
// With --max, exits 1 when any function is longer than that (a check for CI); without it, the
// listing uses 80 and always exits 0.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const SKIPPED_DIRS = new Set(['test', 'tests', '__tests__', 'dist', 'node_modules', '.tsbuild', 'review']);
const SOURCE_FILE = /\.(m|c)?tsx?$/;

function parseArgs(argv) {
  let max = 80;
  let enforce = false;
  let json = false;
  const dirs = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--max') {
      max = Number(argv[++i]);
      enforce = true;
      if (!Number.isInteger(max) || max < 1) throw new Error('--max takes a whole number of lines');
    } else if (arg.startsWith('--max=')) {
      max = Number(arg.slice('--max='.length));
      enforce = true;
      if (!Number.isInteger(max) || max < 1) throw new Error('--max takes a whole number of lines');
    } else if (arg === '--json') {
      json = true;
    } else {
      dirs.push(arg);
    }
  }
  return { max, enforce, json, dirs: dirs.length > 0 ? dirs : ['packages'] };
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* sourceFiles(path);
    } else if (SOURCE_FILE.test(entry.name) && !/\.d\.(m|c)?ts$/.test(entry.name) && !/\.test\./.test(entry.name)) {
      yield path;
    }
  }
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function nameOf(node) {
  const own = node.name && ts.isIdentifier(node.name) ? node.name.text : node.name?.getText();
  const owner = node.parent && ts.isClassLike(node.parent) ? (node.parent.name?.text ?? '<class>') : undefined;
  if (ts.isConstructorDeclaration(node)) return `${owner ?? '<class>'}.constructor`;
  if (own) return owner ? `${owner}.${own}` : own;
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  ) {
    return parent.name.getText();
  }
  if (parent && ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText().slice(0, 40)}>`;
  return '<anonymous>';
}

function longFunctions(path, max) {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (isFunctionLike(node) && node.body) {
      const first = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const last = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) found.push({ path, line: first + 1, lines, name: nameOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** `packages/<name>/…` counts under `<name>`; any other folder under itself. */
function groupOf(path, root) {
  const parts = relative(root, path).split(/[\\/]/);
  return parts[0] === 'packages' && parts.length > 2 ? parts[1] : parts[0];
}

function main() {
  const { max, enforce, json, dirs } = parseArgs(process.argv.slice(2));
  const root = process.cwd();
  const found = [];
  for (const dir of dirs) {
    const files = statSync(dir).isDirectory() ? sourceFiles(dir) : [dir];
    for (const file of files) found.push(...longFunctions(file, max));
  }
  found.sort((a, b) => b.lines - a.lines);
  if (enforce && found.length > 0) process.exitCode = 1;
  if (json) {
    // --json: the list alone on stdout, for tests and tools.
    console.log(JSON.stringify(found.map((f) => ({ ...f, path: relative(root, f.path) }))));
    return;
  }
  for (const f of found) console.log(`${String(f.lines).padStart(5)}  ${relative(root, f.path)}:${f.line}  ${f.name}`);
  const counts = new Map();
  for (const f of found) counts.set(groupOf(f.path, root), (counts.get(groupOf(f.path, root)) ?? 0) + 1);
  const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([group, n]) => `${group} ${n}`);
  console.log(`${found.length} function(s) longer than ${max} lines${summary.length ? `: ${summary.join(', ')}` : ''}`);
}

main();
