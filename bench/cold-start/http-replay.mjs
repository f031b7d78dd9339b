// The floor of a Node CLI on node:http (what stackfeed's transport sends with: got over node:http,
// whose parser is Node's native llhttp): one process sending the same requests with http.request
// on one kept-alive connection, reading each body as text, and nothing else. fetch-replay.mjs is
// the same with fetch (undici, loaded on first use, parsing with a WebAssembly llhttp).
//   node http-replay.mjs <requests.json>   (written by bench/heat/cli-vs-curl.ts, bench/cli-cold-start.ts)
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
for (const r of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  const url = new URL(r.url);
  const headers = {};
  for (const [k, v] of r.headers) headers[k] = v;
  await new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: r.method, headers, agent: agents[url.protocol] }, (res) => {
      if (res.statusCode >= 400) reject(new Error(`${r.method} ${r.url}: ${res.statusCode}`));
      res.setEncoding('utf8');
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
for (const agent of Object.values(agents)) agent.destroy();
