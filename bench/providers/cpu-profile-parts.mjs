/**
 * The parts table of docs/performance.md (session 11): the sampled self time of one or more
 * `<provider>.ts loop <side>` profiles (`node --cpu-prof --cpu-prof-dir=<dir>`) summed into the
 * parts both sides share, so the two sides' columns can be subtracted part by part.
 *
 * Run: node bench/providers/cpu-profile-parts.mjs <dir> [<dir> ...]   (one column per directory)
 * Idle and module loading (loaders, tsx, the CJS lexer, zod schema building) are left out.
 */
import { readFileSync, readdirSync } from 'node:fs';

const PARTS = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['socket writes', (f) => /^(writev|writeLatin1String|writeUtf8String|writeBuffer)$/.test(f.functionName) && !f.url],
  [
    'hashing and signing (SigV4, AK/SK, RFS content ids)',
    (f) =>
      /signature-v4|hash-node|node:internal\/crypto|signRequest|sign\b|queryObject|huawei-rfs.*sign/.test(
        `${f.url} ${f.functionName}`,
      ) && !/idForFields|eventContentKey/.test(f.functionName),
  ],
  ['AWS SDK (middleware, (de)serializers)', (f) => /@smithy|@aws-sdk/.test(f.url)],
  [
    'JSON.parse, page check, mapping (adapter; raw loop)',
    (f) =>
      /parseJsonBody|packages\/(openstack-heat|huawei-rfs|aws-parallelcluster|aws-imagebuilder)\/|bench\/providers\/|chunk-[A-Z0-9]+\.js|zod\/v4\/(core\/(core|schemas)|classic\/schemas)/.test(
        `${f.url} ${f.functionName}`,
      ) ||
      (f.url.includes('packages/core/dist') &&
        /map|settle|next|pull|pages|parse|canonical|drain|check|key/.test(f.functionName)),
  ],
  [
    'HTTP client (got, node:http, undici, core transport)',
    (f) =>
      /node_modules\/(got|p-cancelable|@sindresorhus|cacheable|responselike|decompress|lowercase-keys|form-data|mimic|defer-to-connect|@szmarczak)|node:_http_|node:http\b|node:https|node:net|node:events|undici|wasm|packages\/core\/dist\/adapter\.js|node:internal\/(streams|event_target|url|abort_controller)/.test(
        f.url,
      ) || /^wasm/.test(f.functionName),
  ],
  [
    'buffers and text decoding',
    (f) => /node:buffer|node:internal\/(buffer|encoding)/.test(f.url) || f.functionName === 'decode',
  ],
  ['other (timers, microtasks, promises, node internals)', () => true],
];
const LOADING =
  /internal\/modules\/|node_modules\/tsx\/|bootstrap|esbuild|source_map|cjs-module-lexer|zod\/v4\/(core\/(api|registries|util)|locales)/;

function column(dir) {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => `${dir}/${f}`)
    .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const loading = (id) => {
    for (let k = 0; k < 3 && id !== undefined; k++) {
      if (LOADING.test(byId.get(id).callFrame.url)) return true;
      id = parent.get(id);
    }
    return false;
  };
  const out = new Map(PARTS.map(([name]) => [name, 0]));
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i];
    const f = byId.get(id).callFrame;
    if (f.functionName === '(idle)' || loading(id)) continue;
    const part = PARTS.find(([, test]) => test(f))[0];
    out.set(part, out.get(part) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return out;
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: cpu-profile-parts.mjs <cpu-prof dir> [...]');
const cols = dirs.map(column);
console.log(['part', ...dirs].join(' | '));
for (const [name] of PARTS) console.log([name, ...cols.map((c) => Math.round(c.get(name)))].join(' | '));
console.log(['total sampled', ...cols.map((c) => Math.round([...c.values()].reduce((a, b) => a + b, 0)))].join(' | '));
