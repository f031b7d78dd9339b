/**
 * Where a `<provider>.ts loop <side>` process spent its CPU, from its `node --cpu-prof` output:
 * sampled self time per part (garbage collection, socket writes, got, core's transport, the
 * adapter's mapping, undici, the AWS SDK, Node internals by module, the bench script itself), then
 * the top frames. Module loading (the ESM/CJS loaders, tsx, source maps) is left out of the total.
 *
 * Run: node bench/providers/cpu-profile-summary.mjs <cpu-prof dir> [top frames, default 25]
 * (the main thread's profile: the largest `*.0.001.cpuprofile` in the directory)
 */
import { readFileSync, readdirSync } from 'node:fs';

const dir = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!dir) throw new Error('usage: cpu-profile-summary.mjs <cpu-prof dir> [top]');
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.0.001.cpuprofile'))
  .map((f) => ({ f, size: readFileSync(`${dir}/${f}`).length }))
  .sort((a, b) => b.size - a.size)[0]?.f;
if (!file) throw new Error(`no main-thread .cpuprofile in ${dir}`);
const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

const LOADING = /internal\/modules\/|node_modules\/tsx\/|bootstrap|esbuild|source_map/;
/** A frame of the module loaders, or called from one within three frames. */
const isLoading = (id) => {
  for (let k = 0; k < 3 && id !== undefined; k++) {
    if (LOADING.test(byId.get(id).callFrame.url)) return true;
    id = parent.get(id);
  }
  return false;
};

const PARTS = [
  [/got\/|@sindresorhus|cacheable|http-timer|timed-out|responselike|lowercase-keys|defer-to-connect/, 'got'],
  [/core\/src\/transport/, 'core transport (JSON.parse of the body included)'],
  [/packages\/[^/]+\/src\/(mapping|wire)/, 'adapter mapping/wire'],
  [/undici/, 'undici (fetch)'],
  [/@smithy|@aws-sdk/, 'AWS SDK'],
  [/bench\//, 'bench script (the raw loop; JSON.parse included)'],
];
const partOf = (node) => {
  const { functionName: fn, url } = node.callFrame;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (['writeLatin1String', 'writeUtf8String', 'writev', 'writeBuffer'].includes(fn)) return 'socket writes';
  // A native frame (no url) counts where its caller is.
  const p = parent.get(node.id);
  const where = url || (p === undefined ? '' : byId.get(p).callFrame.url);
  for (const [re, name] of PARTS) if (re.test(where)) return name;
  const m = where.match(/packages\/([^/]+\/src\/[^:]+)/);
  if (m) return m[1];
  const nodeModule = where.match(/^node:[^/:]+/);
  if (nodeModule) return nodeModule[0];
  return `other ${fn || '(anonymous)'}`;
};

const parts = new Map();
const frames = new Map();
let total = 0;
for (const node of profile.nodes) {
  const ms = (selfUs.get(node.id) ?? 0) / 1000;
  if (!ms || node.callFrame.functionName === '(idle)' || isLoading(node.id)) continue;
  total += ms;
  const part = partOf(node);
  parts.set(part, (parts.get(part) ?? 0) + ms);
  const { functionName, url, lineNumber } = node.callFrame;
  const frame = `${functionName || '(anonymous)'} ${url.replace(/.*\/(packages|node_modules)\//, '$1/')}:${lineNumber + 1}`;
  frames.set(frame, (frames.get(frame) ?? 0) + ms);
}
const rows = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${v.toFixed(0).padStart(7)}  ${k}`)
    .join('\n');
console.log(`${file}: ${total.toFixed(0)} ms sampled self time (idle and module loading left out)\n`);
console.log(rows(parts, 20));
console.log(`\ntop frames:\n${rows(frames, top)}`);
