// The floor of a Node CLI for a listing: one process sending the same requests as stackfeed with
// Node's own fetch, reading each body, and nothing else (no stackfeed, no model, no output).
//   node fetch-replay.mjs <requests.json>   (written by bench/cli-cold-start.ts)
import { readFileSync } from 'node:fs';

for (const r of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  const headers = new Headers();
  for (const [k, v] of r.headers) for (const x of Array.isArray(v) ? v : [v]) headers.append(k, x);
  const res = await fetch(r.url, { method: r.method, headers, body: r.body, redirect: 'manual' });
  if (res.status >= 400) throw new Error(`${r.method} ${r.url}: ${res.status}`);
  await res.text();
}
