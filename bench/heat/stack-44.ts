/**
 * The real Heat peer's 44-event stack of the CLI benchmarks (cli-vs-curl.ts, cli-phases.ts): 21
 * OS::Heat::None and the stack, each IN_PROGRESS then COMPLETE. Created once (a few seconds) and
 * kept, found by name on later runs; the requests a listing of it makes, by name (Heat's 302 sends
 * it to the canonical URL), written for fetch-replay.mjs and http-replay.mjs.
 */
import { writeFileSync } from 'node:fs';
import {
  type StackHandle,
  createStack,
  heatAnswers,
  noauthPeerUrl,
  rawEvents,
  waitStack,
} from '../../packages/openstack-heat/test/support/peer.ts';

export const NAME = 'bench-cli-44';

const TEMPLATE = `heat_template_version: 2018-08-31
resources:
${Array.from({ length: 21 }, (_, i) => `  server_${i}:\n    type: OS::Heat::None\n`).join('')}`;

interface StackRow {
  id: string;
  stack_name: string;
  stack_status: string;
}

async function stacks(url: string): Promise<StackRow[]> {
  const res = await fetch(`${url}/stacks`, { headers: { accept: 'application/json' } });
  return ((await res.json()) as { stacks: StackRow[] }).stacks;
}

/** The noauth peer's URL, its 44-event stack (created if missing) and that stack's event ids, sorted. */
export async function the44(): Promise<{ url: string; stack: StackHandle; ids: string[] }> {
  const url = noauthPeerUrl();
  if (!(await heatAnswers(url))) throw new Error(`no Heat at ${url}: run shared/real-peers/heat/up.sh`);
  let stack: StackHandle;
  const found = (await stacks(url)).find((s) => s.stack_name === NAME && s.stack_status === 'CREATE_COMPLETE');
  if (found) stack = { name: found.stack_name, id: found.id };
  else {
    stack = await createStack(url, NAME, TEMPLATE, { inline: true });
    const status = await waitStack(url, stack, 5 * 60_000);
    if (status !== 'CREATE_COMPLETE') throw new Error(`${NAME}: ${status}`);
  }
  const ids = (await rawEvents(url, stack, '')).map((e) => e.id).sort();
  return { url, stack, ids };
}

/** What `stackfeed events heat <name>` asks for: the listing by name, then at the canonical URL. */
export function listingUrls(url: string, stack: StackHandle): { listing: string; canonical: string } {
  const name = encodeURIComponent(stack.name);
  return {
    listing: `${url}/stacks/${name}/events?sort_dir=asc&limit=10000`,
    canonical: `${url}/stacks/${name}/${stack.id}/events?sort_dir=asc&limit=10000`,
  };
}

/** The two GETs of the listing as a replay file (fetch-replay.mjs, http-replay.mjs). */
export function writeReplay(file: string, url: string, stack: StackHandle): void {
  const { listing, canonical } = listingUrls(url, stack);
  const headers = [['accept', 'application/json']];
  writeFileSync(file, JSON.stringify([listing, canonical].map((u) => ({ method: 'GET', url: u, headers }))));
}
