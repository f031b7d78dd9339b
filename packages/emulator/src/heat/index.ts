/**
 * A wire-faithful emulator of OpenStack Heat's orchestration v1 stack/event API (Heat 19 / Zed,
 * legacy engine), with an optional Keystone v3 token endpoint. Behaviour follows a real Heat:
 * newest-first default order, `sort_dir`, keyset `marker` (unknown marker silently ignored),
 * `limit` validation, filters on the status *part*, `nested_depth` with `root_stack` links, the 302
 * from name-only URLs (query kept), the resource-events 404 when nothing matches, fault bodies
 * `{code,title,explanation,error:{type,message,traceback}}`, keystonemiddleware's 401 body.
 *
 * Scenarios are scripts of events on a clock the test controls (`advance`, or `autoAdvanceMs`
 * per events request), so a watch sees a deployment progress without real waiting.
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { type EmulatorReply, type EmulatorRequest, type EmulatorServer, Router, startEmulator } from '../harness.js';

/** One scripted event. */
export interface ScriptedEvent {
  /** Scenario time (ms from the scenario start) at which the event becomes visible. */
  atMs: number;
  /** Resource name; the stack's own name for stack-level events. */
  resource: string;
  /** `{ACTION}_{STATUS}`, e.g. `CREATE_IN_PROGRESS`. */
  status: string;
  reason?: string;
  physicalId?: string | null;
  /** Resource type (show event only); stack-level events get `OS::Heat::Stack`. */
  type?: string;
  properties?: Record<string, unknown>;
}

/** A stack in the emulator. Its status follows its latest visible stack-level event. */
export interface EmulatedStack {
  id: string;
  name: string;
  /** Status before any stack-level event is visible. */
  initialStatus: string;
  /** Parent stack id, for nested stacks. */
  parent?: string | undefined;
  events: Array<ScriptedEvent & { id: string; seq: number }>;
  /** Ids of events removed by pruning (their markers are then ignored, like Heat). */
  pruned: Set<string>;
  deleted: boolean;
}

export interface HeatEmulatorOptions {
  /** Tenant (project) id in URLs (default `admin`, as a noauth Heat). */
  tenant?: string;
  /** Epoch of scenario time 0 (default 2026-01-01T00:00:00Z). */
  epochMs?: number;
  /** Every events/stack request advances the scenario clock by this much (default 0). */
  autoAdvanceMs?: number;
  /** Require Keystone tokens (default false = noauth Heat). */
  keystone?: {
    users: Array<{
      name: string;
      password: string;
      project: string;
      projectId: string;
      /** Application credentials of this user (id + secret), scoped to its project. */
      applicationCredentials?: Array<{ id: string; name: string; secret: string }>;
    }>;
    ttlMs?: number;
  };
  /** Heat's `max_events_per_stack`: prune the oldest events beyond it on every advance (default none). */
  maxEventsPerStack?: number;
}

export interface HeatEmulator {
  readonly server: EmulatorServer;
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** The orchestration endpoint `…/v1/{tenant}`. */
  readonly heatUrl: string;
  /** Keystone v3 base `…/v3` (when `keystone` is configured). */
  readonly keystoneUrl: string;
  readonly stacks: Map<string, EmulatedStack>;
  /** Current scenario time (ms). */
  now(): number;
  /** Move the scenario clock forward. */
  advance(ms: number): void;
  /** Add a stack with a script of events. */
  addStack(
    name: string,
    script: ScriptedEvent[],
    opts?: { id?: string; initialStatus?: string; parent?: string },
  ): EmulatedStack;
  /** Append events to a stack's script. */
  addEvents(stack: EmulatedStack, script: ScriptedEvent[]): void;
  /** Remove the `count` oldest events of a stack (Heat's purge). */
  prune(stack: EmulatedStack, count: number): void;
  /** Ground truth: the stack's events visible now, oldest first, in wire shape. */
  visibleEvents(stack: EmulatedStack, nestedDepth?: number): Array<Record<string, unknown>>;
  /** Invalidate every Keystone token issued so far (the next Heat call gets a 401). */
  revokeTokens(): void;
  /** Tokens issued by the emulated Keystone. */
  readonly tokensIssued: number;
  /** Bodies of every `POST /v3/auth/tokens`, oldest first. */
  readonly authRequests: unknown[];
  close(): Promise<void>;
}

const STACK_TYPE = 'OS::Heat::Stack';

/** Heat's order: created_at (µs, i.e. scenario time here), then the auto-increment id. */
function order(a: { atMs: number; seq: number }, b: { atMs: number; seq: number }): number {
  return a.atMs - b.atMs || a.seq - b.seq;
}

function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

function fault(status: number, type: string, message: string | undefined): EmulatorReply {
  const titles: Record<number, [string, string]> = {
    400: [
      'Bad Request',
      'The server could not comply with the request since it is either malformed or otherwise incorrect.',
    ],
    403: ['Forbidden', 'Access was denied to this resource.'],
    404: ['Not Found', 'The resource could not be found.'],
    409: ['Conflict', 'There was a conflict when trying to complete your request.'],
  };
  const [title, explanation] = titles[status] ?? [
    'Internal Server Error',
    'The server has either erred or is incapable of performing the requested operation.',
  ];
  const error: Record<string, unknown> = { type, traceback: null };
  if (message !== undefined) error.message = message;
  return { status, headers: reqId(), body: { code: status, title, explanation, error } };
}

function reqId(): Record<string, string> {
  return { 'X-Openstack-Request-Id': `req-${randomUUID()}` };
}

/** Build a typical create script: stack IN_PROGRESS, each resource IN_PROGRESS → COMPLETE/FAILED, stack COMPLETE/FAILED. */
export function createScript(
  stackName: string,
  resources: Array<{ name: string; type?: string; fail?: boolean; properties?: Record<string, unknown> }>,
  opts: { startMs?: number; stepMs?: number; action?: string } = {},
): ScriptedEvent[] {
  const action = opts.action ?? 'CREATE';
  const step = opts.stepMs ?? 1000;
  let t = opts.startMs ?? 0;
  const out: ScriptedEvent[] = [
    { atMs: t, resource: stackName, status: `${action}_IN_PROGRESS`, reason: `Stack ${action} started` },
  ];
  let failed: string | undefined;
  for (const r of resources) {
    t += step;
    const base = {
      resource: r.name,
      ...(r.type ? { type: r.type } : {}),
      ...(r.properties ? { properties: r.properties } : {}),
    };
    out.push({ atMs: t, ...base, status: `${action}_IN_PROGRESS`, reason: 'state changed', physicalId: null });
    t += step;
    if (r.fail) {
      failed = r.name;
      out.push({
        atMs: t,
        ...base,
        status: `${action}_FAILED`,
        reason: `Error: resources.${r.name}: Test Resource failed`,
        physicalId: `${stackName}-${r.name}`,
      });
      break;
    }
    out.push({
      atMs: t,
      ...base,
      status: `${action}_COMPLETE`,
      reason: 'state changed',
      physicalId: `${stackName}-${r.name}`,
    });
  }
  t += step;
  out.push(
    failed
      ? {
          atMs: t,
          resource: stackName,
          status: `${action}_FAILED`,
          reason: `Resource ${action} failed: Error: resources.${failed}: Test Resource failed`,
        }
      : {
          atMs: t,
          resource: stackName,
          status: `${action}_COMPLETE`,
          reason: `Stack ${action} completed successfully`,
        },
  );
  return out;
}

/** Start a Heat emulator on loopback. */
export async function startHeatEmulator(opts: HeatEmulatorOptions = {}): Promise<HeatEmulator> {
  const tenant = opts.tenant ?? 'admin';
  const epoch = opts.epochMs ?? Date.UTC(2026, 0, 1);
  let clock = 0;
  let seq = 0;
  const stacks = new Map<string, EmulatedStack>();
  const tokens = new Map<string, { projectId: string; expiresAt: number }>();
  let tokensIssued = 0;
  const authRequests: unknown[] = [];
  let origin = '';

  const visible = (s: EmulatedStack) => s.events.filter((e) => e.atMs <= clock && !s.pruned.has(e.id));
  const statusOf = (s: EmulatedStack): string => {
    const own = visible(s).filter((e) => e.resource === s.name);
    return own.length ? (own[own.length - 1] as ScriptedEvent).status : s.initialStatus;
  };
  const pruneAll = () => {
    if (!opts.maxEventsPerStack) return;
    for (const s of stacks.values()) {
      const v = visible(s);
      const over = v.length - opts.maxEventsPerStack;
      for (const e of v.slice(0, Math.max(0, over))) s.pruned.add(e.id);
    }
  };
  const tick = () => {
    if (opts.autoAdvanceMs) {
      clock += opts.autoAdvanceMs;
      pruneAll();
    }
  };
  const stackUrl = (s: EmulatedStack) => `${origin}/v1/${tenant}/stacks/${encodeURIComponent(s.name)}/${s.id}`;
  const depthOf = (s: EmulatedStack): number => (s.parent ? 1 + depthOf(stacks.get(s.parent) as EmulatedStack) : 0);
  const rootOf = (s: EmulatedStack): EmulatedStack => (s.parent ? rootOf(stacks.get(s.parent) as EmulatedStack) : s);

  const wireEvent = (s: EmulatedStack, e: EmulatedStack['events'][number], withRoot: boolean, detail: boolean) => {
    const su = stackUrl(s);
    const links = [
      { href: `${su}/resources/${encodeURIComponent(e.resource)}/events/${e.id}`, rel: 'self' },
      { href: `${su}/resources/${encodeURIComponent(e.resource)}`, rel: 'resource' },
      { href: su, rel: 'stack' },
    ];
    if (withRoot) links.push({ href: stackUrl(rootOf(s)), rel: 'root_stack' });
    const isStack = e.resource === s.name;
    const out: Record<string, unknown> = {
      id: e.id,
      links,
      event_time: isoSeconds(epoch + e.atMs),
      logical_resource_id: e.resource,
      resource_name: e.resource,
      physical_resource_id: isStack ? s.id : (e.physicalId ?? ''),
      resource_status: e.status,
      resource_status_reason: e.reason ?? 'state changed',
    };
    if (detail) {
      out.resource_type = isStack ? STACK_TYPE : (e.type ?? 'OS::Heat::RandomString');
      out.resource_properties = e.properties ?? {};
    }
    return out;
  };

  const wireStack = (s: EmulatedStack) => {
    const status = statusOf(s);
    const [action, ...rest] = status.split('_');
    const first = s.events[0];
    return {
      id: s.id,
      links: [{ href: stackUrl(s), rel: 'self' }],
      project: tenant,
      stack_name: s.name,
      description: '',
      stack_status: status,
      stack_status_reason:
        visible(s)
          .filter((e) => e.resource === s.name)
          .pop()?.reason ?? '',
      creation_time: first ? isoSeconds(epoch + first.atMs) : isoSeconds(epoch),
      updated_time: action === 'UPDATE' ? isoSeconds(epoch + clock) : null,
      deletion_time: status === 'DELETE_COMPLETE' && rest.length ? isoSeconds(epoch + clock) : null,
      stack_owner: 'admin',
      parent: s.parent ?? null,
      stack_user_project_id: 'aprojectid',
      tags: null,
    };
  };

  const find = (nameOrId: string): EmulatedStack | undefined => {
    const byId = stacks.get(nameOrId);
    if (byId && !byId.deleted) return byId;
    for (const s of stacks.values())
      if (s.name === nameOrId && !s.deleted && statusOf(s) !== 'DELETE_COMPLETE') return s;
    return undefined;
  };
  const exact = (name: string, id: string): EmulatedStack | undefined => {
    const s = stacks.get(id);
    return s && s.name === name ? s : undefined;
  };
  const notFound = (what: string) => fault(404, 'EntityNotFound', `The Stack (${what}) could not be found.`);

  const intParam = (q: URLSearchParams, key: string): number | undefined | EmulatorReply => {
    const v = q.get(key);
    if (v === null) return undefined;
    if (!/^-?\d+$/.test(v)) return fault(400, 'HTTPBadRequest', `Only integer is acceptable by '${key}'.`);
    const n = Number(v);
    if (n < 0)
      return fault(
        400,
        'HTTPBadRequest',
        `Value '${v}' is invalid for '${key}' which only accepts non-negative integer.`,
      );
    return n;
  };

  const auth = (req: EmulatorRequest): EmulatorReply | undefined => {
    if (!opts.keystone) return undefined;
    const t = req.headers['x-auth-token'];
    const tok = typeof t === 'string' ? tokens.get(t) : undefined;
    if (!tok || tok.expiresAt <= Date.now()) {
      return {
        status: 401,
        headers: { ...reqId(), 'Www-Authenticate': `Keystone uri="${origin}/v3"` },
        body: {
          error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
        },
      };
    }
    if (req.params.tenant !== tok.projectId) return fault(403, 'HTTPForbidden', 'Access was denied to this resource.');
    return undefined;
  };

  const listEvents = (req: EmulatorRequest, s: EmulatedStack, resource?: string): EmulatorReply => {
    const q = req.url.searchParams;
    const limit = intParam(q, 'limit');
    if (typeof limit === 'object') return limit;
    const depth = intParam(q, 'nested_depth');
    if (typeof depth === 'object') return depth;
    const dir = q.get('sort_dir');
    if (dir !== null && !/^(asc|desc)(-nullsfirst|-nullslast)?$/.test(dir)) return fault(400, 'ValueError', undefined);
    const keys = q.getAll('sort_keys').filter((k) => k === 'event_time' || k === 'resource_type');
    const asc = dir ? dir.startsWith('asc') : keys.length > 0;
    tick();
    const maxDepth = depth ?? 0;
    const rootDepth = depthOf(s);
    const members = [...stacks.values()].filter((x) => {
      if (x === s) return true;
      if (maxDepth === 0) return false;
      let p = x.parent ? stacks.get(x.parent) : undefined;
      while (p && p !== s) p = p.parent ? stacks.get(p.parent) : undefined;
      return p === s && depthOf(x) - rootDepth <= maxDepth;
    });
    let rows = members.flatMap((m) => visible(m).map((e) => ({ m, e })));
    rows.sort((a, b) => order(a.e, b.e));
    const inList = (k: string, v: string) => {
      const want = q.getAll(k);
      return want.length === 0 || want.includes(v);
    };
    rows = rows.filter(({ e, m }) => {
      const [action, ...st] = e.status.split('_');
      const type = e.resource === m.name ? STACK_TYPE : (e.type ?? 'OS::Heat::RandomString');
      return (
        inList('resource_action', action ?? '') &&
        inList('resource_status', st.join('_')) &&
        inList('resource_name', e.resource) &&
        inList('resource_type', type) &&
        (resource === undefined || e.resource === resource)
      );
    });
    if (keys[0] === 'resource_type')
      rows.sort((a, b) => String(a.e.type ?? '').localeCompare(String(b.e.type ?? '')) || order(a.e, b.e));
    if (!asc) rows.reverse();
    const marker = q.get('marker');
    if (marker) {
      const at = rows.findIndex(({ e }) => e.id === marker);
      // Heat looks the marker up in the whole events table; a row filtered out still anchors.
      if (at >= 0) rows = rows.slice(at + 1);
      else {
        const anchor = members.flatMap((m) => visible(m)).find((e) => e.id === marker);
        if (anchor) rows = rows.filter(({ e }) => (asc ? order(e, anchor) > 0 : order(e, anchor) < 0));
      }
    }
    if (limit !== undefined) rows = rows.slice(0, limit);
    if (resource !== undefined && rows.length === 0) {
      return fault(404, 'HTTPNotFound', `No events found for resource ${resource}`);
    }
    return {
      status: 200,
      headers: reqId(),
      body: { events: rows.map(({ m, e }) => wireEvent(m, e, maxDepth > 0, false)) },
    };
  };

  const redirect = (req: EmulatorRequest, s: EmulatedStack, rest: string): EmulatorReply => {
    const loc = `${stackUrl(s)}${rest}${req.rawQuery ? `?${req.rawQuery}` : ''}`;
    return {
      status: 302,
      headers: { ...reqId(), Location: loc, 'Content-Type': 'text/html; charset=UTF-8' },
      body: `<html>\n <head>\n  <title>302 Found</title>\n </head>\n <body>\n  <h1>302 Found</h1>\n  The resource was found at <a href="${loc}">${loc}</a>;\nyou should be redirected automatically.\n\n\n </body>\n</html>`,
    };
  };

  const router = new Router();
  const guarded =
    (h: (req: EmulatorRequest) => EmulatorReply) =>
    (req: EmulatorRequest): EmulatorReply => {
      if (!origin) origin = `http://${req.headers.host}`;
      if (req.params.tenant !== tenant && !opts.keystone) return notFound(req.params.name ?? '');
      return auth(req) ?? h(req);
    };

  router.on('POST', '/v3/auth/tokens', (req): EmulatorReply => {
    if (!origin) origin = `http://${req.headers.host}`;
    const users = opts.keystone?.users ?? [];
    type Identity = {
      methods?: string[];
      password?: { user?: { name?: string; password?: string } };
      token?: { id?: string };
      application_credential?: { id?: string; name?: string; secret?: string; user?: { name?: string } };
    };
    let body: { auth?: { identity?: Identity } };
    try {
      body = JSON.parse(req.body);
    } catch {
      return {
        status: 400,
        body: { error: { code: 400, title: 'Bad Request', message: 'Expecting to find auth in request body.' } },
      };
    }
    const id = body.auth?.identity;
    let user: (typeof users)[number] | undefined;
    if (id?.methods?.[0] === 'password') {
      const u = id.password?.user;
      user = users.find((x) => x.name === u?.name && x.password === u?.password);
    } else if (id?.methods?.[0] === 'token') {
      const t = tokens.get(id.token?.id ?? '');
      if (t && t.expiresAt > Date.now()) user = users.find((x) => x.projectId === t.projectId);
    } else if (id?.methods?.[0] === 'application_credential') {
      const c = id.application_credential;
      user = users.find((x) =>
        (x.applicationCredentials ?? []).some(
          (a) => a.secret === c?.secret && (a.id === c?.id || (a.name === c?.name && x.name === c?.user?.name)),
        ),
      );
    }
    /** Every accepted auth body, for tests to inspect (secrets included: test-only). */
    authRequests.push(body);
    if (!user) {
      return {
        status: 401,
        headers: { 'WWW-Authenticate': `Keystone uri="${origin}/v3"`, 'x-openstack-request-id': `req-${randomUUID()}` },
        body: {
          error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' },
        },
      };
    }
    const token = `gAAAA${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;
    const expiresAt = Date.now() + (opts.keystone?.ttlMs ?? 3_600_000);
    tokens.set(token, { projectId: user.projectId, expiresAt });
    tokensIssued++;
    return {
      status: 201,
      headers: { 'X-Subject-Token': token, 'x-openstack-request-id': `req-${randomUUID()}` },
      body: {
        token: {
          methods: ['password'],
          user: { domain: { id: 'default', name: 'Default' }, id: `u-${user.name}`, name: user.name },
          expires_at: new Date(expiresAt).toISOString().replace('Z', '000Z'),
          issued_at: new Date().toISOString(),
          project: { domain: { id: 'default', name: 'Default' }, id: user.projectId, name: user.project },
          catalog: [
            {
              type: 'identity',
              name: 'keystone',
              endpoints: [{ interface: 'public', region_id: 'RegionOne', region: 'RegionOne', url: `${origin}/v3/` }],
            },
            {
              type: 'orchestration',
              name: 'heat',
              endpoints: ['public', 'internal', 'admin'].map((i) => ({
                interface: i,
                region_id: 'RegionOne',
                region: 'RegionOne',
                url: `${origin}/v1/${user.projectId}`,
              })),
            },
          ],
        },
      },
    };
  });

  router.on(
    'GET',
    '/v1/:tenant/stacks',
    guarded((req) => {
      const q = req.url.searchParams;
      const limit = intParam(q, 'limit');
      if (typeof limit === 'object') return limit;
      tick();
      let rows = [...stacks.values()].filter((s) => !s.deleted && (q.get('show_nested') === 'true' || !s.parent));
      if (q.get('show_deleted') !== 'true') rows = rows.filter((s) => statusOf(s) !== 'DELETE_COMPLETE');
      const names = q.getAll('name');
      if (names.length) rows = rows.filter((s) => names.includes(s.name));
      const statuses = q.getAll('status');
      if (statuses.length)
        rows = rows.filter((s) => statuses.some((x) => statusOf(s) === x || statusOf(s).endsWith(`_${x}`)));
      rows.reverse();
      const marker = q.get('marker');
      if (marker) {
        const at = rows.findIndex((s) => s.id === marker);
        if (at >= 0) rows = rows.slice(at + 1);
      }
      const body: Record<string, unknown> = {};
      if (limit !== undefined) rows = rows.slice(0, limit);
      body.stacks = rows.map(wireStack);
      if (limit !== undefined && limit > 0 && rows.length === limit) {
        const params = new URLSearchParams(q);
        params.delete('marker');
        params.append('marker', (rows[rows.length - 1] as EmulatedStack).id);
        body.links = [{ rel: 'next', href: `${origin}/v1/${tenant}/stacks?${params.toString()}` }];
      }
      return { status: 200, headers: reqId(), body };
    }),
  );
  router.on(
    'GET',
    '/v1/:tenant/stacks/:name',
    guarded((req) => {
      const s = find(req.params.name as string);
      return s ? redirect(req, s, '') : notFound(req.params.name as string);
    }),
  );
  router.on(
    'GET',
    '/v1/:tenant/stacks/:name/events',
    guarded((req) => {
      const s = find(req.params.name as string);
      return s ? redirect(req, s, '/events') : notFound(req.params.name as string);
    }),
  );
  router.on(
    'GET',
    '/v1/:tenant/stacks/:name/:id',
    guarded((req) => {
      const s = exact(req.params.name as string, req.params.id as string);
      if (!s) return notFound(req.params.name as string);
      tick();
      const { project: _project, ...show } = wireStack(s);
      return {
        status: 200,
        headers: reqId(),
        body: {
          stack: {
            ...show,
            parameters: { 'OS::stack_id': s.id, 'OS::project_id': tenant, 'OS::stack_name': s.name },
            template_description: '',
            capabilities: [],
            disable_rollback: true,
            notification_topics: [],
            timeout_mins: 60,
            outputs: [],
          },
        },
      };
    }),
  );
  router.on(
    'GET',
    '/v1/:tenant/stacks/:name/:id/events',
    guarded((req) => {
      const s = exact(req.params.name as string, req.params.id as string);
      return s ? listEvents(req, s) : notFound(req.params.name as string);
    }),
  );
  router.on(
    'GET',
    '/v1/:tenant/stacks/:name/:id/resources/:res/events',
    guarded((req) => {
      const s = exact(req.params.name as string, req.params.id as string);
      return s ? listEvents(req, s, req.params.res) : notFound(req.params.name as string);
    }),
  );
  router.on(
    'GET',
    '/v1/:tenant/stacks/:name/:id/resources/:res/events/:event',
    guarded((req) => {
      const s = exact(req.params.name as string, req.params.id as string);
      if (!s) return notFound(req.params.name as string);
      const e = visible(s).find((x) => x.id === req.params.event && x.resource === req.params.res);
      if (!e) return fault(404, 'HTTPNotFound', `No event ${req.params.event} found`);
      return { status: 200, headers: reqId(), body: { event: wireEvent(s, e, false, true) } };
    }),
  );
  router.on('GET', '/', () => ({ status: 300, body: { versions: [{ id: 'v1.0', status: 'CURRENT', links: [] }] } }));

  const route = router.handler();
  // Like Heat's eventlet WSGI server, decode `%2F` before routing: an encoded slash is a slash.
  const server = await startEmulator({
    handler: (req) => route({ ...req, rawPath: req.rawPath.replace(/%2F/gi, '/') }),
  });
  origin = server.url;

  const emu: HeatEmulator = {
    server,
    url: server.url,
    heatUrl: `${server.url}/v1/${tenant}`,
    keystoneUrl: `${server.url}/v3`,
    stacks,
    now: () => clock,
    advance(ms) {
      clock += ms;
      pruneAll();
    },
    addStack(name, script, o = {}) {
      const s: EmulatedStack = {
        id: o.id ?? randomUUID(),
        name,
        initialStatus: o.initialStatus ?? 'INIT_COMPLETE',
        ...(o.parent ? { parent: o.parent } : {}),
        events: [],
        pruned: new Set(),
        deleted: false,
      };
      stacks.set(s.id, s);
      emu.addEvents(s, script);
      return s;
    },
    addEvents(s, script) {
      const sorted = [...script].sort((a, b) => a.atMs - b.atMs);
      for (const e of sorted) s.events.push({ ...e, id: randomUUID(), seq: ++seq });
      s.events.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
    },
    prune(s, count) {
      for (const e of visible(s).slice(0, count)) s.pruned.add(e.id);
    },
    visibleEvents(s, nestedDepth = 0) {
      const req = {
        url: new URL(`http://x/?sort_dir=asc&nested_depth=${nestedDepth}`),
        params: {},
      } as unknown as EmulatorRequest;
      const saved = opts.autoAdvanceMs;
      opts.autoAdvanceMs = 0;
      try {
        return (listEvents(req, s).body as { events: Array<Record<string, unknown>> }).events;
      } finally {
        opts.autoAdvanceMs = saved;
      }
    },
    revokeTokens() {
      tokens.clear();
    },
    get tokensIssued() {
      return tokensIssued;
    },
    authRequests,
    close: () => server.close(),
  };
  return emu;
}
