import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Test-only helpers that drive the real Heat peer (create / update / delete stacks) with plain fetch. */

const here = dirname(fileURLToPath(import.meta.url));
/** `<repo>/../shared` (CI checks shared/ out next to the clone). */
export const SHARED_DIR = process.env.STACKFEED_SHARED_DIR ?? resolve(here, '../../../../../shared');
export const PEER_DIR = join(SHARED_DIR, 'real-peers/heat');
export const TEMPLATES_DIR = join(PEER_DIR, 'templates');

export interface PeerInfo {
  mode: 'noauth' | 'keystone';
  heatUrl: string;
  tenantId: string;
  keystoneUrl?: string;
  region?: string;
  admin?: { user: string; password: string; project: string; project_id: string; domain_id: string };
  demo?: { user: string; password: string; project: string; project_id: string; domain_id: string };
}

/** Keystone-mode peer started beside the noauth one (see globalSetup). */
export const KS_PEER = {
  dir: process.env.HEAT_KS_PEER_DIR ?? process.env.HEAT_KS_DIR ?? '/tmp/heat-peer-ks',
  port: process.env.HEAT_KS_PEER_PORT ?? '8014',
  keystonePort: process.env.HEAT_KS_PEER_KEYSTONE_PORT ?? '5010',
};

/** Read a peer's peer.json. */
export function readPeerJson(dir: string): PeerInfo | undefined {
  const file = join(dir, 'peer.json');
  if (!existsSync(file)) return undefined;
  const j = JSON.parse(readFileSync(file, 'utf8'));
  return {
    mode: j.mode,
    heatUrl: j.heat_url,
    tenantId: j.tenant_id,
    keystoneUrl: j.keystone_url,
    region: j.region,
    admin: j.admin,
    demo: j.demo,
  };
}

/** The noauth peer: HEAT_URL, else /tmp/heat-peer/peer.json. */
export function noauthPeerUrl(): string {
  if (process.env.HEAT_URL && !process.env.HEAT_URL.includes(`:${KS_PEER.port}/`)) return process.env.HEAT_URL;
  const p = readPeerJson(process.env.HEAT_PEER_DIR ?? '/tmp/heat-peer');
  return p?.heatUrl ?? 'http://127.0.0.1:8004/v1/admin';
}

/** True when the Heat at `url` answers. */
export async function heatAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(new URL('/', url), { signal: AbortSignal.timeout(3000) });
    return res.status === 300 || res.status === 200;
  } catch {
    return false;
  }
}

export interface StackHandle {
  name: string;
  id: string;
}

/** A stack name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

function template(name: string): string {
  return readFileSync(join(TEMPLATES_DIR, name), 'utf8');
}

/** Heat requests as the tests' "operator": noauth needs a dummy token for OS::Heat::Stack. */
async function heat(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token = 'noauth-dummy-token',
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-auth-token': token },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** POST a stack from one of the peer's templates; returns without waiting. */
export async function createStack(
  base: string,
  name: string,
  templateFile: string,
  opts: {
    files?: string[];
    /** Files given as text (name → template), beside or instead of the peer's `files`. */
    inlineFiles?: Record<string, string>;
    parameters?: Record<string, unknown>;
    token?: string;
    inline?: boolean;
  } = {},
): Promise<StackHandle> {
  const body: Record<string, unknown> = {
    stack_name: name,
    // `inline`: `templateFile` is the template text itself.
    template: opts.inline ? templateFile : template(templateFile),
    disable_rollback: true,
    timeout_mins: 10,
  };
  if (opts.parameters) body.parameters = opts.parameters;
  if (opts.files || opts.inlineFiles) {
    body.files = { ...Object.fromEntries((opts.files ?? []).map((f) => [f, template(f)])), ...opts.inlineFiles };
  }
  const res = await heat(base, 'POST', '/stacks', body, opts.token);
  if (res.status !== 201) throw new Error(`create ${name}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  const id = (res.json as { stack: { id: string } }).stack.id;
  return { name, id };
}

/** PATCH (parameters only) or PUT (new template) an existing stack. */
export async function updateStack(
  base: string,
  s: StackHandle,
  opts: { templateFile?: string; parameters?: Record<string, unknown>; token?: string },
): Promise<void> {
  const body: Record<string, unknown> = { parameters: opts.parameters ?? {} };
  if (opts.templateFile) body.template = template(opts.templateFile);
  const method = opts.templateFile ? 'PUT' : 'PATCH';
  const res = await heat(base, method, `/stacks/${s.name}/${s.id}`, body, opts.token);
  if (res.status !== 202) throw new Error(`update ${s.name}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
}

export async function deleteStack(base: string, s: StackHandle, token?: string): Promise<void> {
  const res = await heat(base, 'DELETE', `/stacks/${s.name}/${s.id}`, undefined, token);
  if (res.status !== 204 && res.status !== 404) throw new Error(`delete ${s.name}: HTTP ${res.status}`);
}

export async function stackStatus(base: string, s: StackHandle, token?: string): Promise<string> {
  const res = await heat(base, 'GET', `/stacks/${s.name}/${s.id}`, undefined, token);
  if (res.status !== 200) throw new Error(`status ${s.name}: HTTP ${res.status}`);
  return (res.json as { stack: { stack_status: string } }).stack.stack_status;
}

/** Poll until the stack leaves IN_PROGRESS (and INIT); returns the final status. */
export async function waitStack(base: string, s: StackHandle, timeoutMs = 120_000, token?: string): Promise<string> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const st = await stackStatus(base, s, token);
    if (!/IN_PROGRESS$|^INIT_/.test(st)) return st;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`stack ${s.name} did not finish within ${timeoutMs} ms`);
}

/** Raw events as Heat lists them (one unpaged request, oldest first) — the ground truth. */
export async function rawEvents(
  base: string,
  s: StackHandle,
  query = '',
  token?: string,
): Promise<Array<{ id: string; resource_name: string; resource_status: string; event_time: string }>> {
  const res = await heat(
    base,
    'GET',
    `/stacks/${s.name}/${s.id}/events?sort_dir=asc${query ? `&${query}` : ''}`,
    undefined,
    token,
  );
  if (res.status !== 200) throw new Error(`events ${s.name}: HTTP ${res.status}`);
  return (res.json as { events: never[] }).events;
}
