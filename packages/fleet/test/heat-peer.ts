import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real OpenStack Heat peer (shared/real-peers/heat, noauth mode) as the fleet's tests use it:
 * where it is, whether it answers, and plain-HTTP stack operations as an operator would make them
 * (the fleet under test reads the peer only through the HeatClient).
 */

const here = dirname(fileURLToPath(import.meta.url));
/** `<repo>/../shared` (CI checks shared/ out next to the clone). */
const SHARED_DIR = process.env.STACKFEED_SHARED_DIR ?? resolve(here, '../../../../shared');
export const HEAT_PEER_SCRIPTS = join(SHARED_DIR, 'real-peers/heat');
/** Where the noauth peer keeps its state (the same default as up.sh and the openstack-heat tests). */
export const HEAT_PEER_DIR = process.env.HEAT_PEER_DIR ?? '/tmp/heat-peer';

/** The noauth peer's project URL: HEAT_URL, else the peer.json up.sh wrote, else :8004. */
export function heatPeerUrl(): string {
  if (process.env.HEAT_URL) return process.env.HEAT_URL;
  const file = join(HEAT_PEER_DIR, 'peer.json');
  if (existsSync(file)) {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { mode?: string; heat_url?: string };
    if (j.mode === 'noauth' && j.heat_url) return j.heat_url;
  }
  return 'http://127.0.0.1:8004/v1/admin';
}

/** True when a Heat answers at `url` (its version document). */
export async function heatAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/', url), { signal: AbortSignal.timeout(3000) });
    await res.body?.cancel();
    return res.status === 300 || res.status === 200;
  } catch {
    return false;
  }
}

export interface PeerStack {
  name: string;
  id: string;
}

async function heat(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    // noauth Heat takes any token; its stacks' own resources need one to be present.
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': 'noauth-operator' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/**
 * A flat template of resources that need no other OpenStack service: `slow` TestResources that
 * take `waitSecs` each (one after the other), and, when `fails`, a last one that fails.
 */
export function flatTemplate(o: { slow: number; waitSecs: number; fails?: boolean; value?: string }): string {
  const lines = ['heat_template_version: 2018-08-31', 'resources:', '  seed:', '    type: OS::Heat::RandomString'];
  let prev = 'seed';
  for (let i = 0; i < o.slow; i++) {
    const name = `step${i}`;
    lines.push(
      `  ${name}:`,
      '    type: OS::Heat::TestResource',
      `    depends_on: [${prev}]`,
      '    properties:',
      `      value: ${o.value ?? 'v1'}`,
      `      action_wait_secs: {create: ${o.waitSecs}, update: ${o.waitSecs}}`,
    );
    prev = name;
  }
  if (o.fails) {
    lines.push(
      '  broken:',
      '    type: OS::Heat::TestResource',
      `    depends_on: [${prev}]`,
      '    properties: {fail: true}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** POST a stack (no rollback, so a failure stays CREATE_FAILED); returns without waiting. */
export async function createPeerStack(base: string, name: string, template: string): Promise<PeerStack> {
  const res = await heat(base, 'POST', '/stacks', {
    stack_name: name,
    template,
    disable_rollback: true,
    timeout_mins: 10,
  });
  if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return { name, id: (res.json as { stack: { id: string } }).stack.id };
}

/** PUT a new template on a stack (an update); returns without waiting. */
export async function updatePeerStack(base: string, s: PeerStack, template: string): Promise<void> {
  const res = await heat(base, 'PUT', `/stacks/${s.name}/${s.id}`, { template, parameters: {} });
  if (res.status !== 202) throw new Error(`update ${s.name}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
}

export async function peerStackStatus(base: string, s: PeerStack): Promise<string> {
  const res = await heat(base, 'GET', `/stacks/${s.name}/${s.id}`);
  if (res.status !== 200) throw new Error(`status ${s.name}: HTTP ${res.status}`);
  return (res.json as { stack: { stack_status: string } }).stack.stack_status;
}

/** Heat's own event list of a stack, oldest first, in one unpaged request: the ground truth. */
export async function peerEvents(base: string, s: PeerStack): Promise<Array<{ id: string; resource_status: string }>> {
  const res = await heat(base, 'GET', `/stacks/${s.name}/${s.id}/events?sort_dir=asc`);
  if (res.status !== 200) throw new Error(`events ${s.name}: HTTP ${res.status}`);
  return (res.json as { events: Array<{ id: string; resource_status: string }> }).events;
}

export async function deletePeerStack(base: string, s: PeerStack): Promise<void> {
  const res = await heat(base, 'DELETE', `/stacks/${s.name}/${s.id}`);
  if (res.status !== 204 && res.status !== 404) throw new Error(`delete ${s.name}: HTTP ${res.status}`);
}
