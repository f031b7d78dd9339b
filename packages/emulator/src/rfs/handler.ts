import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type EmulatorReply, type EmulatorRequest, type Handler, Router } from '../harness.js';
import type { RfsListingOrder, RfsStore, StackState, StoredEvent } from './store.js';
import { type AkSkIdentity, verifyAkSkRequest } from './verify.js';

/**
 * The RFS routes (ListStacks, GetStackMetadata, ListStackEvents) and the IAM token route over an
 * {@link RfsStore}: the API gateway's AK/SK and token checks, then the documented filter / field /
 * marker / limit / deployment_id / stack_id semantics.
 *
 * RFS error codes other than APIGW.0301 are not in any public catalogue; the `RF.*` codes used
 * here (RFS_ERRORS) are illustrative. `limit` is 10..1000 as the official Java SDK's request models
 * state; its default (100 here) is an assumption, no document gives it.
 */

/** IAM users the emulator accepts at `POST /v3/auth/tokens`. */
export interface IamUser {
  userName: string;
  password: string;
  domainName: string;
}

export interface RfsHandlerOptions {
  /** Who may call: AK/SK pairs (with securityToken for temporary ones) and IAM users. */
  credentials: { aksk?: AkSkIdentity[]; users?: IamUser[] };
  /** The only project id served. */
  projectId: string;
  /** The gateway's clock in ms: signature skew and token expiry. */
  clock: () => number;
  /** Allowed X-Sdk-Date skew (default 15 minutes). */
  maxSkewMs?: number | undefined;
  /** Lock an AK for 5 minutes after 5 consecutive signature failures (default true). */
  akLockout?: boolean | undefined;
  /** false: behave like the pre-2025 API, no marker/limit, no page_info (default true). */
  pageInfo?: boolean | undefined;
  /** Page size without `limit` (default 100; undocumented by RFS). */
  defaultLimit?: number | undefined;
  /** Smallest accepted `limit` (default 10, the documented minimum). */
  minLimit?: number | undefined;
  /** Largest accepted `limit` (default 1000, the documented maximum). */
  maxLimit?: number | undefined;
  /** IAM token lifetime (default 24 h). */
  tokenTtlMs?: number | undefined;
  /** What IAM's `GET /v3/projects` lists (default: `projectId`, named `cn-north-4`). */
  projects?: readonly IamProject[] | undefined;
}

/** One IAM project of the account, as `GET /v3/projects` lists it. */
export interface IamProject {
  id: string;
  /** A region's own project is named after the region (`cn-north-4`); others are `MOS`, `cn-north-4_dev`, … */
  name: string;
}

/** Illustrative RFS error codes of the emulator. */
export const RFS_ERRORS = {
  invalidParameter: 'RF.10010400',
  stackIdMismatch: 'RF.10012400',
  stackNotFound: 'RF.10012404',
  deploymentNotFound: 'RF.10012405',
  projectMismatch: 'RF.10010403',
} as const;

const TOKEN = /^[A-Za-z0-9_]+$/;
const FILTER_PARAMS = new Set(['event_type', 'resource_type', 'resource_name']);
const FIELD_NAMES = new Set([
  'elapsed_seconds',
  'event_message',
  'resource_id_key',
  'resource_id_value',
  'resource_key',
  'resource_type',
  'resource_name',
  'time',
  'timestamp',
]);

/** An error answer: status, RFS error code, message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parse the filter grammar; undefined = no filter (absent, empty, or ignored because of a `;`). */
export function parseRfsFilter(filter: string | null): Map<string, Set<string>> | undefined {
  if (filter === null || filter === '') return undefined;
  if (filter.length > 512)
    throw new HttpError(400, RFS_ERRORS.invalidParameter, 'filter is longer than 512 characters');
  if (filter.includes(';')) return undefined;
  const out = new Map<string, Set<string>>();
  for (const clause of filter.split(',')) {
    let param: string | undefined;
    const values = new Set<string>();
    for (const term of clause.split('|')) {
      const m = /^([^=]*)==([^=]*)$/.exec(term);
      if (!m || !TOKEN.test(m[1] as string) || !TOKEN.test(m[2] as string)) {
        throw new HttpError(400, RFS_ERRORS.invalidParameter, `invalid filter term: ${term}`);
      }
      if (!FILTER_PARAMS.has(m[1] as string)) {
        throw new HttpError(400, RFS_ERRORS.invalidParameter, `filter parameter ${m[1]} is not supported`);
      }
      if (param !== undefined && param !== m[1]) {
        throw new HttpError(400, RFS_ERRORS.invalidParameter, 'OR terms of one clause must use the same parameter');
      }
      param = m[1] as string;
      values.add(m[2] as string);
    }
    if (out.has(param as string)) {
      throw new HttpError(400, RFS_ERRORS.invalidParameter, `filter parameter ${param} appears in two clauses`);
    }
    out.set(param as string, values);
  }
  return out;
}

/** Parse `field`; undefined = every attribute. `timestamp` (the document's name) selects `time`. */
function parseField(field: string | null): Set<string> | undefined {
  if (field === null || field === '') return undefined;
  if (field.length > 128) throw new HttpError(400, RFS_ERRORS.invalidParameter, 'field is longer than 128 characters');
  const out = new Set<string>(['event_type']);
  for (const f of field.split(',')) {
    if (!TOKEN.test(f) || !FIELD_NAMES.has(f)) {
      throw new HttpError(400, RFS_ERRORS.invalidParameter, `field ${f} is not supported`);
    }
    out.add(f === 'timestamp' ? 'time' : f);
  }
  return out;
}

/** What an emulator marker holds (base64url JSON; opaque to clients). */
interface MarkerBody {
  /** The `seq` of the page's edge item: the next page starts below it, the previous one above. */
  edgeSeq: number;
  direction: 'next' | 'prev';
  /** Digest of the parameters the marker was issued for: RFS accepts it only with the same ones. */
  paramsDigest: string;
}
const encodeMarker = (m: MarkerBody) => Buffer.from(JSON.stringify(m)).toString('base64url');

/** The marker's content; throws HttpError 400 when it is not one of ours or was issued for other parameters. */
function decodeMarkerOrThrow(marker: string, paramsDigest: string): MarkerBody {
  let m: MarkerBody;
  try {
    m = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as MarkerBody;
  } catch {
    throw new HttpError(400, RFS_ERRORS.invalidParameter, 'marker is invalid');
  }
  if (!m || typeof m.edgeSeq !== 'number' || (m.direction !== 'next' && m.direction !== 'prev')) {
    throw new HttpError(400, RFS_ERRORS.invalidParameter, 'marker is invalid');
  }
  if (m.paramsDigest !== paramsDigest) {
    throw new HttpError(
      400,
      RFS_ERRORS.invalidParameter,
      'marker can only be used with the same parameters as the request that returned it',
    );
  }
  return m;
}

/** A digest of the named query parameters (what a marker is bound to). */
const paramsDigestOf = (req: EmulatorRequest, names: string[]) =>
  createHash('sha256')
    .update(JSON.stringify(names.map((n) => [n, req.url.searchParams.get(n)])))
    .digest('base64url')
    .slice(0, 12);

/** The RFS and IAM routes over a store, with the gateway's checks in front. */
export interface RfsHandler {
  handler: Handler;
  /** Tokens issued by the IAM route. */
  readonly tokensIssued: number;
}

/** Build the handler: routes, gateway auth, and RFS-shaped error bodies with `X-Request-Id` and `Date`. */
export function createRfsHandler(store: RfsStore, options: RfsHandlerOptions): RfsHandler {
  const gateway = new Gateway(options);
  const paging = new Pager(options);
  const router = new Router();
  router.on('POST', '/v3/auth/tokens', (req) => gateway.issueToken(req));
  router.on('GET', '/v3/projects', (req) => {
    gateway.authenticate(req);
    return listProjects(req, options);
  });
  const preamble = (req: EmulatorRequest) => {
    gateway.check(req);
    store.catchUp();
  };
  router.on('GET', '/v1/:project_id/stacks', (req) => {
    preamble(req);
    return listStacks(req, store, paging);
  });
  router.on('GET', '/v1/:project_id/stacks/:stack_name/metadata', (req) => {
    preamble(req);
    store.noteMetadataRead(req.params.stack_name as string);
    return ok(stackMetadata(stackOrThrow(req, store)));
  });
  router.on('GET', '/v1/:project_id/stacks/:stack_name/events', (req) => {
    preamble(req);
    return listStackEvents(req, stackOrThrow(req, store), paging, store.listingOrder);
  });
  const routes = router.handler();
  const clock = options.clock;
  return {
    handler: async (req): Promise<EmulatorReply> => {
      const requestId = randomUUID().replace(/-/g, '');
      let reply: EmulatorReply;
      try {
        reply = await routes(req);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        reply = { status: err.status, body: errorBody(err, requestId) };
      }
      // The gateway's clock, not the host's: clients correct their X-Sdk-Date from it.
      const date = new Date(clock()).toUTCString();
      return { ...reply, headers: { ...(reply.headers ?? {}), 'x-request-id': requestId, date } };
    },
    get tokensIssued() {
      return gateway.tokensIssued;
    },
  };
}

/** The API gateway: IAM tokens, AK/SK signatures (with the AK lockout), Client-Request-Id, project. */
class Gateway {
  private readonly tokens = new Map<string, number>();
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();
  private readonly akIndex: Map<string, AkSkIdentity>;
  private readonly maxSkew: number;
  private readonly lockout: boolean;
  private readonly tokenTtl: number;
  tokensIssued = 0;

  constructor(private readonly options: RfsHandlerOptions) {
    this.akIndex = new Map((options.credentials.aksk ?? []).map((c) => [c.accessKey, c]));
    this.maxSkew = options.maxSkewMs ?? 15 * 60_000;
    this.lockout = options.akLockout ?? true;
    this.tokenTtl = options.tokenTtlMs ?? 24 * 3_600_000;
  }

  /** Every RFS request: authenticated, a Client-Request-Id of 36..128 characters, our project. Throws HttpError. */
  check(req: EmulatorRequest): void {
    this.authenticate(req);
    const cri = req.headers['client-request-id'];
    if (typeof cri !== 'string' || cri.length < 36 || cri.length > 128) {
      throw new HttpError(400, RFS_ERRORS.invalidParameter, 'Client-Request-Id is required (36 to 128 characters)');
    }
    if (req.params.project_id !== this.options.projectId) {
      throw new HttpError(403, RFS_ERRORS.projectMismatch, 'the project id does not match the credentials');
    }
  }

  /** The AK/SK signature or IAM token of a request. Throws HttpError. */
  authenticate(req: EmulatorRequest): void {
    const now = this.options.clock();
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && token) {
      const exp = this.tokens.get(token);
      if (exp === undefined || exp < now) {
        throw new HttpError(401, 'APIGW.0301', 'Incorrect IAM authentication information: decrypt token fail');
      }
      return;
    }
    const ak = /Access=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
    const lock = ak ? this.failures.get(ak) : undefined;
    if (this.lockout && lock && lock.lockedUntil > now) {
      throw new HttpError(
        401,
        'APIGW.0301',
        'Incorrect IAM authentication information: AK access failed to reach the limit, forbidden',
      );
    }
    const r = verifyAkSkRequest(req, (key) => this.akIndex.get(key), now, this.maxSkew);
    if (!r.ok) {
      if (ak && this.akIndex.has(ak)) this.countFailure(ak, now);
      throw new HttpError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${r.reason}`);
    }
    this.failures.delete(r.accessKey);
  }

  /** Five bad signatures in a row lock the AK for five minutes. */
  private countFailure(ak: string, now: number): void {
    const f = this.failures.get(ak) ?? { count: 0, lockedUntil: 0 };
    f.count++;
    if (f.count >= 5) {
      f.count = 0;
      f.lockedUntil = now + 5 * 60_000;
    }
    this.failures.set(ak, f);
  }

  /** `POST /v3/auth/tokens` with password credentials: a token in `X-Subject-Token`. */
  issueToken(req: EmulatorRequest): EmulatorReply {
    let body: TokenRequest;
    try {
      body = JSON.parse(req.body);
    } catch {
      return iamError(400, 'The request body is invalid.', 'Bad Request');
    }
    const u = body.auth?.identity?.password?.user;
    const user = (this.options.credentials.users ?? []).find(
      (x) => x.userName === u?.name && x.password === u?.password && x.domainName === u?.domain?.name,
    );
    if (!user) return iamError(401, 'The username or password is wrong.', 'Unauthorized');
    const token = `MII${randomBytes(48).toString('base64url')}`;
    const now = this.options.clock();
    this.tokens.set(token, now + this.tokenTtl);
    this.tokensIssued++;
    return {
      status: 201,
      headers: { 'x-subject-token': token },
      body: {
        token: {
          // IAM writes microseconds: 2025-06-13T08:00:00.123000Z
          expires_at: new Date(now + this.tokenTtl).toISOString().replace('Z', '000Z'),
          issued_at: new Date(now).toISOString().replace('Z', '000Z'),
          methods: ['password'],
          project: { id: this.options.projectId, name: body.auth?.scope?.project?.name ?? 'cn-north-4' },
          user: { name: user.userName, domain: { name: user.domainName } },
        },
      },
    };
  }
}

/** IAM `GET /v3/projects` (Keystone's shape, as Huawei IAM answers it), with its `name` and `enabled` filters. */
function listProjects(req: EmulatorRequest, options: RfsHandlerOptions): EmulatorReply {
  const all = options.projects ?? [{ id: options.projectId, name: 'cn-north-4' }];
  const name = req.url.searchParams.get('name');
  const enabled = req.url.searchParams.get('enabled');
  const base = `https://iam.myhuaweicloud.com/v3/projects`;
  const domainId = createHash('sha256').update(options.projectId).digest('hex').slice(0, 32);
  const projects = all
    .filter((p) => (name === null || p.name === name) && enabled !== 'false')
    .map((p) => ({
      is_domain: false,
      description: '',
      links: { self: `${base}/${p.id}` },
      enabled: true,
      id: p.id,
      parent_id: domainId,
      domain_id: domainId,
      name: p.name,
    }));
  return { status: 200, body: { links: { self: base, previous: null, next: null }, projects } };
}

interface TokenRequest {
  auth?: {
    identity?: { password?: { user?: { name?: string; password?: string; domain?: { name?: string } } } };
    scope?: { project?: { id?: string; name?: string } };
  };
}

const iamError = (code: number, message: string, title: string): EmulatorReply => ({
  status: code,
  body: { error: { code, message, title } },
});

/** Newest-first keyset paging with next/previous markers, `limit` checked against the documented bounds. */
class Pager {
  private readonly withPageInfo: boolean;
  private readonly defaultLimit: number;
  private readonly minLimit: number;
  private readonly maxLimit: number;

  constructor(options: RfsHandlerOptions) {
    this.withPageInfo = options.pageInfo ?? true;
    this.defaultLimit = options.defaultLimit ?? 100;
    this.minLimit = options.minLimit ?? 10;
    this.maxLimit = options.maxLimit ?? 1000;
  }

  /** One page of `items` (newest first, each with a seq). Throws HttpError 400 on a bad limit or marker. */
  page<T extends { seq: number }>(req: EmulatorRequest, items: T[], paramsDigest: string) {
    if (!this.withPageInfo) return { items, pageInfo: undefined };
    const limit = this.limitOrThrow(req);
    const markerRaw = req.url.searchParams.get('marker');
    let slice: T[];
    if (markerRaw) {
      const m = decodeMarkerOrThrow(markerRaw, paramsDigest);
      if (m.direction === 'next') {
        const from = items.findIndex((x) => x.seq < m.edgeSeq);
        slice = from === -1 ? [] : items.slice(from, from + limit);
      } else {
        const newer = items.filter((x) => x.seq > m.edgeSeq);
        slice = newer.slice(Math.max(0, newer.length - limit));
      }
    } else {
      slice = items.slice(0, limit);
    }
    const pageInfo: Record<string, unknown> = { current_count: slice.length };
    const last = slice[slice.length - 1];
    const first = slice[0];
    if (last && items.some((x) => x.seq < last.seq)) {
      pageInfo.next_marker = encodeMarker({ edgeSeq: last.seq, direction: 'next', paramsDigest });
    }
    if (first && items.some((x) => x.seq > first.seq)) {
      pageInfo.previous_marker = encodeMarker({ edgeSeq: first.seq, direction: 'prev', paramsDigest });
    }
    return { items: slice, pageInfo };
  }

  private limitOrThrow(req: EmulatorRequest): number {
    const raw = req.url.searchParams.get('limit');
    if (raw === null) return this.defaultLimit;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < this.minLimit || n > this.maxLimit) {
      throw new HttpError(
        400,
        RFS_ERRORS.invalidParameter,
        `limit must be an integer from ${this.minLimit} to ${this.maxLimit}`,
      );
    }
    return n;
  }
}

/** The stack the path names; throws HttpError 404 when there is none, 400 when `stack_id` names another. */
function stackOrThrow(req: EmulatorRequest, store: RfsStore): StackState {
  const st = store.stack(req.params.stack_name as string);
  if (!st || !store.exists(st)) {
    throw new HttpError(404, RFS_ERRORS.stackNotFound, `stack ${req.params.stack_name} does not exist`);
  }
  const sid = req.url.searchParams.get('stack_id');
  if (sid !== null && sid !== st.id) {
    throw new HttpError(400, RFS_ERRORS.stackIdMismatch, `stack_id ${sid} does not match the stack named ${st.name}`);
  }
  return st;
}

/** ListStacks: newest created first. */
function listStacks(req: EmulatorRequest, store: RfsStore, paging: Pager): EmulatorReply {
  const stacks = store
    .liveStacks()
    .map((st, i) => ({ order: i, st }))
    .sort((a, b) => b.st.createTime.localeCompare(a.st.createTime) || b.order - a.order)
    .map((x, i, all) => ({ seq: all.length - i, st: x.st }));
  const { items, pageInfo } = paging.page(req, stacks, paramsDigestOf(req, ['limit']));
  return ok({
    stacks: items.map(({ st }) => ({
      stack_name: st.name,
      stack_id: st.id,
      ...(st.description ? { description: st.description } : {}),
      status: st.status,
      ...(st.statusMessage ? { status_message: st.statusMessage } : {}),
      create_time: st.createTime,
      update_time: st.updateTime,
    })),
    ...(pageInfo ? { page_info: pageInfo } : {}),
  });
}

/** GetStackMetadata. */
function stackMetadata(st: StackState): Record<string, unknown> {
  return {
    stack_id: st.id,
    stack_name: st.name,
    ...(st.description ? { description: st.description } : {}),
    vars_structure: [],
    enable_deletion_protection: false,
    enable_auto_rollback: true,
    status: st.status,
    ...(st.statusMessage ? { status_message: st.statusMessage } : {}),
    agencies: [{ provider_name: 'huaweicloud', agency_name: 'rfs_admin_trust' }],
    create_time: st.createTime,
    update_time: st.updateTime,
  };
}

/** ListStackEvents: newest first, scoped to a deployment, filtered, projected to `field`, paged. */
function listStackEvents(req: EmulatorRequest, st: StackState, paging: Pager, order: RfsListingOrder): EmulatorReply {
  const sp = req.url.searchParams;
  const deploymentId = sp.get('deployment_id');
  if (deploymentId !== null && !st.deployments.has(deploymentId)) {
    throw new HttpError(404, RFS_ERRORS.deploymentNotFound, `deployment ${deploymentId} does not exist`);
  }
  const filter = parseRfsFilter(sp.get('filter'));
  const fields = parseField(sp.get('field'));
  const matching: StoredEvent[] = [];
  for (let i = st.events.length - 1; i >= 0; i--) {
    const e = st.events[i] as StoredEvent;
    if (deploymentId !== null && e.deploymentId !== deploymentId) continue;
    if (filter && !matchesFilter(e, filter)) continue;
    matching.push(e);
  }
  const digest = paramsDigestOf(req, ['stack_id', 'deployment_id', 'filter', 'field', 'limit']);
  const ordered = order === 'shuffled' ? shuffledStably(matching) : matching;
  const { items, pageInfo } = paging.page(req, ordered, digest);
  const project = (e: StoredEvent) => {
    if (!fields) return e.wire;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.wire)) if (fields.has(k)) out[k] = v;
    return out;
  };
  return ok({ stack_events: items.map(project), ...(pageInfo ? { page_info: pageInfo } : {}) });
}

/**
 * A stable order that is not time order: by a hash of each event's seq, with that hash as the
 * paging key (so markers keep working and new events fall anywhere in the listing).
 */
function shuffledStably(events: StoredEvent[]): StoredEvent[] {
  const keyed = events.map((e) => ({
    ...e,
    seq: createHash('sha256').update(String(e.seq)).digest().readUIntBE(0, 6),
  }));
  return keyed.sort((a, b) => b.seq - a.seq);
}

/** Every clause holds (AND); within a clause one of the values (OR). */
function matchesFilter(e: StoredEvent, filter: Map<string, Set<string>>): boolean {
  for (const [param, values] of filter) {
    const v = e.wire[param];
    if (typeof v !== 'string' || !values.has(v)) return false;
  }
  return true;
}

/** The gateway's APIGW.0301 body carries request_id; RFS's own errors do not. */
function errorBody(err: HttpError, requestId: string): Record<string, unknown> {
  return err.code === 'APIGW.0301'
    ? { error_msg: err.message, error_code: err.code, request_id: requestId }
    : { error_code: err.code, error_msg: err.message };
}

function ok(body: unknown): EmulatorReply {
  return { status: 200, body };
}
