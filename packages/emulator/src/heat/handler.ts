import { randomUUID } from 'node:crypto';
import { type EmulatorReply, type EmulatorRequest, Router } from '../harness.js';
import type { EmulatedKeystone } from './keystone.js';
import {
  DEFAULT_RESOURCE_TYPE,
  type EmulatedStack,
  type HeatStore,
  STACK_TYPE,
  type StoredEvent,
  eventOrder,
} from './store.js';

/** What the routes need besides the store. */
export interface HeatHandlerOptions {
  tenant: string;
  epochMs: number;
  /**
   * Base (`scheme://host[:port]`) Heat builds its links and 302 `Location` from, like Heat's
   * `host_url` behind a TLS-terminating proxy (e.g. `http://…` while clients come in on
   * `https://…`). Default: the origin of the request.
   */
  locationBase?: string | undefined;
  /** `false`: an older Heat without `nested_depth` (the parameter is ignored, no `root_stack` links). */
  nestedDepth?: boolean | undefined;
  /** A faulty server: events listed in a stable order that is not time order (by resource name, then time), whatever `sort_dir`. */
  unorderedListing?: boolean | undefined;
}

export function reqId(): Record<string, string> {
  return { 'X-Openstack-Request-Id': `req-${randomUUID()}` };
}

const TITLES: Record<number, [string, string]> = {
  400: [
    'Bad Request',
    'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  ],
  403: ['Forbidden', 'Access was denied to this resource.'],
  404: ['Not Found', 'The resource could not be found.'],
  409: ['Conflict', 'There was a conflict when trying to complete your request.'],
};

/** Heat's fault body `{code, title, explanation, error: {type, message?, traceback}}`. */
export function fault(status: number, type: string, message: string | undefined): EmulatorReply {
  const [title, explanation] = TITLES[status] ?? [
    'Internal Server Error',
    'The server has either erred or is incapable of performing the requested operation.',
  ];
  const error: Record<string, unknown> = { type, traceback: null };
  if (message !== undefined) error.message = message;
  return { status, headers: reqId(), body: { code: status, title, explanation, error } };
}

const notFound = (what: string) => fault(404, 'EntityNotFound', `The Stack (${what}) could not be found.`);

function isoSeconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Heat's integer query parameters: non-negative integers, else 400 with Heat's words. */
function intParam(q: URLSearchParams, key: string): number | undefined | EmulatorReply {
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
}

/**
 * A resource name from the URL path as a real Heat 19 reads it: the percent-decoded UTF-8 bytes
 * taken as Latin-1 (so `%C3%BC` is `Ã¼`, not `ü`: Heat's own self links for non-ASCII names 404).
 */
function resourceFromPath(decoded: string): string {
  return Buffer.from(decoded, 'utf8').toString('latin1');
}

/** The wire shapes (events, stacks, resources) and the listing logic of Heat's events API. */
export class HeatWire {
  origin = '';

  constructor(
    private readonly store: HeatStore,
    private readonly opts: HeatHandlerOptions,
  ) {}

  linkBase(): string {
    return this.opts.locationBase?.replace(/\/+$/, '') ?? this.origin;
  }

  stackUrl(s: EmulatedStack): string {
    return `${this.linkBase()}/v1/${this.opts.tenant}/stacks/${encodeURIComponent(s.name)}/${s.id}`;
  }

  event(s: EmulatedStack, e: StoredEvent, withRoot: boolean, detail: boolean): Record<string, unknown> {
    const su = this.stackUrl(s);
    const res = `${su}/resources/${encodeURIComponent(e.resource)}`;
    const links = [
      { href: `${res}/events/${e.id}`, rel: 'self' },
      { href: res, rel: 'resource' },
      { href: su, rel: 'stack' },
    ];
    if (withRoot) links.push({ href: this.stackUrl(this.store.rootOf(s)), rel: 'root_stack' });
    const isStack = e.resource === s.name;
    const out: Record<string, unknown> = {
      id: e.id,
      links,
      event_time: isoSeconds(this.opts.epochMs + e.atMs),
      logical_resource_id: e.resource,
      resource_name: e.resource,
      physical_resource_id: isStack ? s.id : (e.physicalId ?? ''),
      resource_status: e.status,
      resource_status_reason: e.reason ?? 'state changed',
    };
    if (detail) {
      out.resource_type = isStack ? STACK_TYPE : (e.type ?? DEFAULT_RESOURCE_TYPE);
      out.resource_properties = e.properties ?? {};
    }
    return out;
  }

  stack(s: EmulatedStack): Record<string, unknown> {
    const { store, opts } = this;
    const status = store.statusOf(s);
    const [action, ...rest] = status.split('_');
    const first = s.events[0];
    return {
      id: s.id,
      links: [{ href: this.stackUrl(s), rel: 'self' }],
      project: opts.tenant,
      stack_name: s.name,
      description: '',
      stack_status: status,
      stack_status_reason: store.lastOwnEvent(s)?.reason ?? '',
      creation_time: isoSeconds(opts.epochMs + (first ? first.atMs : 0)),
      updated_time: action === 'UPDATE' ? isoSeconds(opts.epochMs + store.clock) : null,
      deletion_time: status === 'DELETE_COMPLETE' && rest.length ? isoSeconds(opts.epochMs + store.clock) : null,
      stack_owner: 'admin',
      parent: s.parent ?? null,
      stack_user_project_id: 'aprojectid',
      tags: s.tags ? [...s.tags] : null,
    };
  }

  /** `GET …/resources`: one row per resource seen in the events, with a `nested` link for nested stacks. */
  resources(s: EmulatedStack): Record<string, unknown>[] {
    const latest = new Map<string, StoredEvent>();
    for (const e of this.store.visible(s)) if (e.resource !== s.name) latest.set(e.resource, e);
    return [...latest.values()].map((e) => {
      const su = this.stackUrl(s);
      const nested = this.store.nestedStackOf(s, e.resource);
      const links = [
        { href: `${su}/resources/${encodeURIComponent(e.resource)}`, rel: 'self' },
        { href: su, rel: 'stack' },
      ];
      if (nested) links.push({ href: this.stackUrl(nested), rel: 'nested' });
      return {
        creation_time: isoSeconds(this.opts.epochMs + e.atMs),
        updated_time: isoSeconds(this.opts.epochMs + e.atMs),
        logical_resource_id: e.resource,
        resource_name: e.resource,
        physical_resource_id: nested ? nested.id : (e.physicalId ?? ''),
        resource_status: e.status,
        resource_status_reason: e.reason ?? 'state changed',
        resource_type: e.type ?? DEFAULT_RESOURCE_TYPE,
        links,
        required_by: [],
      };
    });
  }

  /** `GET …/events` (and `…/resources/{res}/events` with `resource`). */
  listEvents(q: URLSearchParams, s: EmulatedStack, resource?: string, tick = true): EmulatorReply {
    const limit = intParam(q, 'limit');
    if (typeof limit === 'object') return limit;
    const depth = intParam(q, 'nested_depth');
    if (typeof depth === 'object') return depth;
    const dir = q.get('sort_dir');
    if (dir !== null && !/^(asc|desc)(-nullsfirst|-nullslast)?$/.test(dir)) return fault(400, 'ValueError', undefined);
    const keys = q.getAll('sort_keys').filter((k) => k === 'event_time' || k === 'resource_type');
    const asc = dir ? dir.startsWith('asc') : keys.length > 0;
    if (tick) this.store.tick();
    const maxDepth = this.opts.nestedDepth === false ? 0 : (depth ?? 0);
    const members = this.store.withNested(s, maxDepth);
    let rows = members.flatMap((m) => this.store.visible(m).map((e) => ({ m, e })));
    rows.sort((a, b) => eventOrder(a.e, b.e));
    rows = rows.filter(({ e, m }) => matchesFilters(q, e, m) && (resource === undefined || e.resource === resource));
    if (keys[0] === 'resource_type')
      rows.sort((a, b) => String(a.e.type ?? '').localeCompare(String(b.e.type ?? '')) || eventOrder(a.e, b.e));
    if (!asc) rows.reverse();
    if (this.opts.unorderedListing) {
      rows.sort((a, b) => (a.e.resource < b.e.resource ? -1 : a.e.resource > b.e.resource ? 1 : eventOrder(a.e, b.e)));
    }
    const marker = q.get('marker');
    if (marker) {
      const at = rows.findIndex(({ e }) => e.id === marker);
      // Heat looks the marker up in the whole events table; a row filtered out still anchors.
      if (at >= 0) rows = rows.slice(at + 1);
      else {
        const anchor = members.flatMap((m) => this.store.visible(m)).find((e) => e.id === marker);
        if (anchor) rows = rows.filter(({ e }) => (asc ? eventOrder(e, anchor) > 0 : eventOrder(e, anchor) < 0));
      }
    }
    if (limit !== undefined) rows = rows.slice(0, limit);
    if (resource !== undefined && rows.length === 0) {
      return fault(404, 'HTTPNotFound', `No events found for resource ${resource}`);
    }
    const events = rows.map(({ m, e }) => this.event(m, e, maxDepth > 0, false));
    return { status: 200, headers: reqId(), body: { events } };
  }
}

/** Heat's filters: each parameter ORs its repeated values, different parameters AND. */
function matchesFilters(q: URLSearchParams, e: StoredEvent, m: EmulatedStack): boolean {
  const inList = (k: string, v: string) => {
    const want = q.getAll(k);
    return want.length === 0 || want.includes(v);
  };
  const [action, ...st] = e.status.split('_');
  const type = e.resource === m.name ? STACK_TYPE : (e.type ?? DEFAULT_RESOURCE_TYPE);
  return (
    inList('resource_action', action ?? '') &&
    inList('resource_status', st.join('_')) &&
    inList('resource_name', e.resource) &&
    inList('resource_type', type)
  );
}

function redirect(wire: HeatWire, req: EmulatorRequest, s: EmulatedStack, rest: string): EmulatorReply {
  const loc = `${wire.stackUrl(s)}${rest}${req.rawQuery ? `?${req.rawQuery}` : ''}`;
  return {
    status: 302,
    headers: { ...reqId(), Location: loc, 'Content-Type': 'text/html; charset=UTF-8' },
    body: `<html>\n <head>\n  <title>302 Found</title>\n </head>\n <body>\n  <h1>302 Found</h1>\n  The resource was found at <a href="${loc}">${loc}</a>;\nyou should be redirected automatically.\n\n\n </body>\n</html>`,
  };
}

function stackShow(wire: HeatWire, s: EmulatedStack, tenant: string): EmulatorReply {
  const { project: _project, ...show } = wire.stack(s);
  const stack = {
    ...show,
    parameters: { 'OS::stack_id': s.id, 'OS::project_id': tenant, 'OS::stack_name': s.name },
    template_description: '',
    capabilities: [],
    disable_rollback: true,
    notification_topics: [],
    timeout_mins: 60,
    outputs: [],
  };
  return { status: 200, headers: reqId(), body: { stack } };
}

function stackList(wire: HeatWire, store: HeatStore, q: URLSearchParams, tenant: string): EmulatorReply {
  const limit = intParam(q, 'limit');
  if (typeof limit === 'object') return limit;
  store.tick();
  let rows = [...store.stacks.values()].filter(
    (s) => store.exists(s) && (q.get('show_nested') === 'true' || !s.parent),
  );
  if (q.get('show_deleted') !== 'true') rows = rows.filter((s) => store.statusOf(s) !== 'DELETE_COMPLETE');
  const names = q.getAll('name');
  if (names.length) rows = rows.filter((s) => names.includes(s.name));
  const statuses = q.getAll('status');
  if (statuses.length)
    rows = rows.filter((s) => statuses.some((x) => store.statusOf(s) === x || store.statusOf(s).endsWith(`_${x}`)));
  const actions = q.getAll('action');
  if (actions.length) rows = rows.filter((s) => actions.some((a) => store.statusOf(s).startsWith(`${a}_`)));
  const tags = q.get('tags')?.split(',').filter(Boolean);
  if (tags?.length) {
    const single = singleValuedFilter(q);
    if (single) return tagJoinFault(single);
    rows = rows.filter((s) => tags.every((t) => s.tags?.includes(t)));
  }
  rows.reverse();
  const marker = q.get('marker');
  if (marker) {
    const at = rows.findIndex((s) => s.id === marker);
    if (at >= 0) rows = rows.slice(at + 1);
  }
  if (limit !== undefined) rows = rows.slice(0, limit);
  const body: Record<string, unknown> = { stacks: rows.map((s) => wire.stack(s)) };
  if (limit !== undefined && limit > 0 && rows.length === limit) {
    const params = new URLSearchParams(q);
    params.delete('marker');
    params.append('marker', (rows[rows.length - 1] as EmulatedStack).id);
    body.links = [{ rel: 'next', href: `${wire.linkBase()}/v1/${tenant}/stacks?${params.toString()}` }];
  }
  return { status: 200, headers: reqId(), body };
}

/**
 * The stack filter Heat would apply as a single value (`filter_by`), if any. Heat's engine turns a
 * filter with one distinct value into `filter_by(key=value)` (`db/sqlalchemy/filters.py`
 * `exact_filter`; `engine/api.py` `translate_filters` reduces `status=CREATE_FAILED` to
 * status `FAILED` + action `CREATE`); several values become `Stack.key IN (…)`.
 */
function singleValuedFilter(q: URLSearchParams): string | undefined {
  const statusParts = new Set<string>();
  const actions = new Set(q.getAll('action'));
  for (const v of q.getAll('status')) {
    for (const part of ['COMPLETE', 'FAILED', 'IN_PROGRESS']) {
      const at = v.lastIndexOf(part);
      if (at < 0) continue;
      statusParts.add(v.slice(at));
      if (at > 1) actions.add(v.slice(0, at - 1));
    }
  }
  if (statusParts.size === 1) return 'status';
  if (actions.size === 1) return 'action';
  if (new Set(q.getAll('name')).size === 1) return 'name';
  return undefined;
}

/**
 * What Heat answers for `tags` with a single-valued filter: the tag join (`query.join(StackTag)`)
 * comes first, so `filter_by` looks the key up on the joined StackTag and SQLAlchemy raises.
 */
function tagJoinFault(key: string): EmulatorReply {
  return fault(500, 'InvalidRequestError', `Entity namespace for "aliased(StackTag)" has no property "${key}"`);
}

/** The routes of Heat's orchestration v1 API (plus Keystone's token endpoint) over a store. */
export function createHeatRouter(
  store: HeatStore,
  keystone: EmulatedKeystone,
  wire: HeatWire,
  opts: HeatHandlerOptions,
) {
  const { tenant } = opts;
  const router = new Router();
  const learnOrigin = (req: EmulatorRequest) => {
    if (!wire.origin) wire.origin = `http://${req.headers.host}`;
  };
  const guarded =
    (h: (req: EmulatorRequest) => EmulatorReply) =>
    (req: EmulatorRequest): EmulatorReply => {
      learnOrigin(req);
      if (req.params.tenant !== tenant && !keystone.enabled) return notFound(req.params.name ?? '');
      const denied = keystone.check(req, wire.origin, () =>
        fault(403, 'HTTPForbidden', 'Access was denied to this resource.'),
      );
      return denied ?? h(req);
    };
  /** A route on a stack addressed by `{name}/{id}`. */
  const onStack = (path: string, h: (req: EmulatorRequest, s: EmulatedStack) => EmulatorReply) =>
    router.on(
      'GET',
      `/v1/:tenant/stacks/:name/:id${path}`,
      guarded((req) => {
        const s = store.exact(req.params.name as string, req.params.id as string);
        return s ? h(req, s) : notFound(req.params.name as string);
      }),
    );
  /** A lookup by name or id alone: Heat's 302 to the canonical URL. */
  const onLookup = (path: string) =>
    router.on(
      'GET',
      `/v1/:tenant/stacks/:name${path}`,
      guarded((req) => {
        const s = store.find(req.params.name as string);
        return s ? redirect(wire, req, s, path) : notFound(req.params.name as string);
      }),
    );

  router.on('POST', '/v3/auth/tokens', (req) => {
    learnOrigin(req);
    return keystone.issue(req, wire.origin);
  });
  router.on(
    'GET',
    '/v1/:tenant/stacks',
    guarded((req) => stackList(wire, store, req.url.searchParams, tenant)),
  );
  onLookup('');
  onLookup('/events');
  onStack('', (_req, s) => {
    store.tick();
    return stackShow(wire, s, tenant);
  });
  onStack('/events', (req, s) => wire.listEvents(req.url.searchParams, s));
  onStack('/resources', (_req, s) => ({ status: 200, headers: reqId(), body: { resources: wire.resources(s) } }));
  onStack('/resources/:res/events', (req, s) =>
    wire.listEvents(req.url.searchParams, s, resourceFromPath(req.params.res as string)),
  );
  onStack('/resources/:res/events/:event', (req, s) => {
    const res = resourceFromPath(req.params.res as string);
    const e = store.visible(s).find((x) => x.id === req.params.event && x.resource === res);
    if (!e) return fault(404, 'HTTPNotFound', `No event ${req.params.event} found`);
    return { status: 200, headers: reqId(), body: { event: wire.event(s, e, false, true) } };
  });
  router.on('GET', '/', () => ({ status: 300, body: { versions: [{ id: 'v1.0', status: 'CURRENT', links: [] }] } }));
  return router;
}
