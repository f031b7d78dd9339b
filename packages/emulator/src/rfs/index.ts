import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type EmulatorReply, type EmulatorRequest, type EmulatorServer, Router, startEmulator } from '../harness.js';
import type { RfsScenario, ScenarioEvent, ScenarioStep } from './scenarios.js';
import { type AkSkIdentity, verifyAkSkRequest } from './verify.js';

export * from './scenarios.js';
export {
  verifyAkSkRequest,
  gatewayCanonicalRequest,
  parseSdkDate,
  type AkSkIdentity,
  type VerifyResult,
} from './verify.js';

/**
 * A local Huawei Cloud RFS (+ the IAM token call) that checks AK/SK signatures like the API
 * gateway, and serves ListStacks, GetStackMetadata and ListStackEvents with the documented
 * filter / field / marker / limit / deployment_id / stack_id semantics, from scripted scenarios.
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

export interface RfsEmulatorOptions {
  /** Who may call: AK/SK pairs (with securityToken for temporary ones) and IAM users. */
  credentials: { aksk?: AkSkIdentity[]; users?: IamUser[] };
  /** The only project id served (default `0123456789abcdef0123456789abcdef`). */
  projectId?: string;
  scenarios?: RfsScenario[];
  /** The emulator's clock in ms (default Date.now): signature skew and scenario progress. */
  clock?: () => number;
  /**
   * How scenarios progress: `clock` (default) applies each step when the clock reaches it;
   * `manual` only on `advance()`; `on-metadata` one step per GetStackMetadata call of that stack
   * (deterministic progress for watch tests and demos).
   */
  progress?: 'clock' | 'manual' | 'on-metadata';
  /** Allowed X-Sdk-Date skew (default 15 minutes). */
  maxSkewMs?: number;
  /**
   * The gateway locks an AK for 5 minutes after 5 consecutive signature failures (default on;
   * false disables it for tests that send many bad signatures on purpose).
   */
  akLockout?: boolean;
  /** false: behave like the pre-2025 API, no marker/limit, no page_info (default true). */
  pageInfo?: boolean;
  /** Page size without `limit` (default 100; undocumented by RFS). */
  defaultLimit?: number;
  /** Smallest accepted `limit` (default 10, the documented minimum). */
  minLimit?: number;
  /** Largest accepted `limit` (default 1000, the documented maximum). */
  maxLimit?: number;
  /** IAM token lifetime (default 24 h). */
  tokenTtlMs?: number;
  port?: number;
}

/** Illustrative RFS error codes of the emulator. */
export const RFS_ERRORS = {
  invalidParameter: 'RF.10010400',
  stackIdMismatch: 'RF.10012400',
  stackNotFound: 'RF.10012404',
  deploymentNotFound: 'RF.10012405',
  projectMismatch: 'RF.10010403',
} as const;

/** One stored event: the wire record plus what RFS knows but does not return. */
export interface StoredEvent {
  seq: number;
  deploymentId: string | undefined;
  wire: Record<string, unknown> & { event_type: string; time: string };
}

/** A stack's state (ground truth for tests). */
export interface StackState {
  name: string;
  id: string;
  description?: string;
  status: string;
  statusMessage?: string;
  createTime: string;
  updateTime: string;
  /** Oldest first. */
  events: StoredEvent[];
  deployments: Set<string>;
  deleted: boolean;
}

interface LiveScenario {
  scenario: RfsScenario;
  /** Steps not applied yet, with the absolute time (ms) each is due. */
  queue: Array<{ due: number; step: ScenarioStep }>;
  state: StackState;
}

export interface RfsEmulator {
  /** Base URL: use as the RFS endpoint and as the IAM endpoint. */
  readonly url: string;
  readonly projectId: string;
  /** The harness server: fault injection (`server.faults`) and the request log (`server.requests`). */
  readonly server: EmulatorServer;
  /** Add a scenario (its history is applied now). */
  addScenario(s: RfsScenario): StackState;
  /**
   * Queue more steps on an existing stack (e.g. a new deployment for a demo's "deploy" button), with
   * `at` relative to `startAt` (default: now on the emulator clock).
   */
  play(stackName: string, steps: ScenarioStep[], opts?: { startAt?: number }): void;
  /** Apply the next `n` pending steps of one stack (or of every stack); returns how many were applied. */
  advance(stackName?: string, n?: number): number;
  /** Apply every pending step. */
  finish(stackName?: string): number;
  /** A stack's current state, also after deletion. */
  stack(name: string): StackState | undefined;
  /** Steps still pending for a stack. */
  pending(stackName: string): number;
  /** Tokens issued by the IAM route. */
  readonly tokensIssued: number;
  close(): Promise<void>;
}

const iso = (ms: number) => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
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

class HttpError extends Error {
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

interface MarkerBody {
  s: number;
  d: 'next' | 'prev';
  q: string;
}
const encodeMarker = (m: MarkerBody) => Buffer.from(JSON.stringify(m)).toString('base64url');
function decodeMarker(marker: string, q: string): MarkerBody {
  let m: MarkerBody;
  try {
    m = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as MarkerBody;
  } catch {
    throw new HttpError(400, RFS_ERRORS.invalidParameter, 'marker is invalid');
  }
  if (!m || typeof m.s !== 'number' || (m.d !== 'next' && m.d !== 'prev')) {
    throw new HttpError(400, RFS_ERRORS.invalidParameter, 'marker is invalid');
  }
  if (m.q !== q) {
    throw new HttpError(
      400,
      RFS_ERRORS.invalidParameter,
      'marker can only be used with the same parameters as the request that returned it',
    );
  }
  return m;
}

/** Start the RFS emulator on loopback. */
export async function startRfsEmulator(options: RfsEmulatorOptions): Promise<RfsEmulator> {
  const clock = options.clock ?? Date.now;
  const projectId = options.projectId ?? '0123456789abcdef0123456789abcdef';
  const progress = options.progress ?? 'clock';
  const maxSkew = options.maxSkewMs ?? 15 * 60_000;
  const withPageInfo = options.pageInfo ?? true;
  const defaultLimit = options.defaultLimit ?? 100;
  const minLimit = options.minLimit ?? 10;
  const maxLimit = options.maxLimit ?? 1000;
  const tokenTtl = options.tokenTtlMs ?? 24 * 3_600_000;
  const akIndex = new Map((options.credentials.aksk ?? []).map((c) => [c.accessKey, c]));
  const users = options.credentials.users ?? [];
  const tokens = new Map<string, number>();
  const lockout = options.akLockout ?? true;
  const failures = new Map<string, { count: number; lockedUntil: number }>();
  let tokensIssued = 0;
  const live = new Map<string, LiveScenario>();
  let seq = 0;

  const apply = (l: LiveScenario, step: ScenarioStep, due: number) => {
    const st = l.state;
    const t = iso(due);
    if (step.deploymentId) st.deployments.add(step.deploymentId);
    for (const e of step.events ?? []) st.events.push(toStored(e, t, step.deploymentId));
    if (step.status !== undefined) {
      st.status = step.status;
      if (!/FAILED$/.test(step.status)) delete st.statusMessage;
    }
    if (step.statusMessage === null) delete st.statusMessage;
    else if (step.statusMessage !== undefined) st.statusMessage = step.statusMessage;
    if (step.status !== undefined || step.events?.length) st.updateTime = t;
    if (step.delete) st.deleted = true;
  };
  const toStored = (e: ScenarioEvent, time: string, deploymentId: string | undefined): StoredEvent => ({
    seq: ++seq,
    deploymentId,
    wire: { ...e, time },
  });

  const addScenario = (s: RfsScenario): StackState => {
    const existing = live.get(s.stackName);
    if (existing && !existing.state.deleted) throw new Error(`stack ${s.stackName} already exists`);
    const start = s.startAt ?? clock();
    const firstAt = Math.min(0, ...s.history.map((h) => h.at));
    const state: StackState = {
      name: s.stackName,
      id: s.stackId,
      ...(s.description ? { description: s.description } : {}),
      status: s.initialStatus,
      createTime: iso(start + firstAt),
      updateTime: iso(start + firstAt),
      events: [],
      deployments: new Set(),
      deleted: false,
    };
    const l: LiveScenario = { scenario: s, queue: s.steps.map((step) => ({ due: start + step.at, step })), state };
    live.set(s.stackName, l);
    for (const h of s.history) apply(l, h, start + h.at);
    return state;
  };

  const advanceOne = (l: LiveScenario): boolean => {
    const next = l.queue.shift();
    if (!next) return false;
    apply(l, next.step, next.due);
    return true;
  };
  const advance = (stackName?: string, n = 1): number => {
    let done = 0;
    const targets = stackName ? [live.get(stackName)].filter((x): x is LiveScenario => !!x) : [...live.values()];
    for (const l of targets) for (let i = 0; i < n && advanceOne(l); i++) done++;
    return done;
  };
  const catchUp = () => {
    if (progress !== 'clock') return;
    const now = clock();
    for (const l of live.values()) {
      while (l.queue.length > 0 && (l.queue[0] as { due: number }).due <= now) advanceOne(l);
    }
  };

  for (const s of options.scenarios ?? []) addScenario(s);

  // --- auth -------------------------------------------------------------------------------------
  const authenticate = (req: EmulatorRequest) => {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && token) {
      const exp = tokens.get(token);
      if (exp === undefined || exp < clock()) {
        throw new HttpError(401, 'APIGW.0301', 'Incorrect IAM authentication information: decrypt token fail');
      }
      return;
    }
    const ak = /Access=([^,\s]+)/.exec(String(req.headers.authorization ?? ''))?.[1];
    const lock = ak ? failures.get(ak) : undefined;
    if (lockout && lock && lock.lockedUntil > clock()) {
      throw new HttpError(
        401,
        'APIGW.0301',
        'Incorrect IAM authentication information: AK access failed to reach the limit, forbidden',
      );
    }
    const r = verifyAkSkRequest(req, (key) => akIndex.get(key), clock(), maxSkew);
    if (!r.ok) {
      if (ak && akIndex.has(ak)) {
        const f = failures.get(ak) ?? { count: 0, lockedUntil: 0 };
        f.count++;
        if (f.count >= 5) {
          f.count = 0;
          f.lockedUntil = clock() + 5 * 60_000;
        }
        failures.set(ak, f);
      }
      throw new HttpError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${r.reason}`);
    }
    failures.delete(r.accessKey);
  };
  const rfsPreamble = (req: EmulatorRequest) => {
    authenticate(req);
    const cri = req.headers['client-request-id'];
    if (typeof cri !== 'string' || cri.length < 36 || cri.length > 128) {
      throw new HttpError(400, RFS_ERRORS.invalidParameter, 'Client-Request-Id is required (36 to 128 characters)');
    }
    if (req.params.project_id !== projectId) {
      throw new HttpError(403, RFS_ERRORS.projectMismatch, 'the project id does not match the credentials');
    }
    catchUp();
  };
  const stackOf = (req: EmulatorRequest): LiveScenario => {
    const l = live.get(req.params.stack_name as string);
    if (!l || l.state.deleted) {
      throw new HttpError(404, RFS_ERRORS.stackNotFound, `stack ${req.params.stack_name} does not exist`);
    }
    const sid = req.url.searchParams.get('stack_id');
    if (sid !== null && sid !== l.state.id) {
      throw new HttpError(
        400,
        RFS_ERRORS.stackIdMismatch,
        `stack_id ${sid} does not match the stack named ${l.state.name}`,
      );
    }
    return l;
  };
  const limitOf = (req: EmulatorRequest): number => {
    const raw = req.url.searchParams.get('limit');
    if (raw === null) return defaultLimit;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < minLimit || n > maxLimit) {
      throw new HttpError(400, RFS_ERRORS.invalidParameter, `limit must be an integer from ${minLimit} to ${maxLimit}`);
    }
    return n;
  };

  /** Newest-first keyset paging over `items` (each with a seq), with next/previous markers. */
  function page<T extends { seq: number }>(req: EmulatorRequest, items: T[], q: string) {
    if (!withPageInfo) return { items, pageInfo: undefined };
    const limit = limitOf(req);
    const markerRaw = req.url.searchParams.get('marker');
    let slice: T[];
    if (markerRaw) {
      const m = decodeMarker(markerRaw, q);
      if (m.d === 'next') {
        const from = items.findIndex((x) => x.seq < m.s);
        slice = from === -1 ? [] : items.slice(from, from + limit);
      } else {
        const newer = items.filter((x) => x.seq > m.s);
        slice = newer.slice(Math.max(0, newer.length - limit));
      }
    } else {
      slice = items.slice(0, limit);
    }
    const pageInfo: Record<string, unknown> = { current_count: slice.length };
    const last = slice[slice.length - 1];
    const first = slice[0];
    if (last && items.some((x) => x.seq < last.seq)) pageInfo.next_marker = encodeMarker({ s: last.seq, d: 'next', q });
    if (first && items.some((x) => x.seq > first.seq)) {
      pageInfo.previous_marker = encodeMarker({ s: first.seq, d: 'prev', q });
    }
    return { items: slice, pageInfo };
  }

  const queryKey = (req: EmulatorRequest, names: string[]) =>
    createHash('sha256')
      .update(JSON.stringify(names.map((n) => [n, req.url.searchParams.get(n)])))
      .digest('base64url')
      .slice(0, 12);

  const router = new Router();
  router.on('POST', '/v3/auth/tokens', (req) => {
    let body: {
      auth?: {
        identity?: { password?: { user?: { name?: string; password?: string; domain?: { name?: string } } } };
        scope?: { project?: { id?: string; name?: string } };
      };
    };
    try {
      body = JSON.parse(req.body);
    } catch {
      return {
        status: 400,
        body: { error: { code: 400, message: 'The request body is invalid.', title: 'Bad Request' } },
      };
    }
    const u = body.auth?.identity?.password?.user;
    const ok = users.find(
      (x) => x.userName === u?.name && x.password === u?.password && x.domainName === u?.domain?.name,
    );
    if (!ok) {
      return {
        status: 401,
        body: { error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } },
      };
    }
    const token = `MII${randomBytes(48).toString('base64url')}`;
    const now = clock();
    tokens.set(token, now + tokenTtl);
    tokensIssued++;
    return {
      status: 201,
      headers: { 'x-subject-token': token },
      body: {
        token: {
          // IAM writes microseconds: 2025-06-13T08:00:00.123000Z
          expires_at: new Date(now + tokenTtl).toISOString().replace('Z', '000Z'),
          issued_at: new Date(now).toISOString().replace('Z', '000Z'),
          methods: ['password'],
          project: { id: projectId, name: body.auth?.scope?.project?.name ?? 'cn-north-4' },
          user: { name: ok.userName, domain: { name: ok.domainName } },
        },
      },
    };
  });

  router.on('GET', '/v1/:project_id/stacks', (req) => {
    rfsPreamble(req);
    const stacks = [...live.values()]
      .filter((l) => !l.state.deleted)
      .map((l, i) => ({ order: i, l }))
      .sort((a, b) => b.l.state.createTime.localeCompare(a.l.state.createTime) || b.order - a.order)
      .map((x, i, all) => ({ seq: all.length - i, l: x.l }));
    const { items, pageInfo } = page(req, stacks, queryKey(req, ['limit']));
    return ok({
      stacks: items.map(({ l }) => ({
        stack_name: l.state.name,
        stack_id: l.state.id,
        ...(l.state.description ? { description: l.state.description } : {}),
        status: l.state.status,
        ...(l.state.statusMessage ? { status_message: l.state.statusMessage } : {}),
        create_time: l.state.createTime,
        update_time: l.state.updateTime,
      })),
      ...(pageInfo ? { page_info: pageInfo } : {}),
    });
  });

  router.on('GET', '/v1/:project_id/stacks/:stack_name/metadata', (req) => {
    rfsPreamble(req);
    if (progress === 'on-metadata') {
      const l = live.get(req.params.stack_name as string);
      if (l && !l.state.deleted) advanceOne(l);
    }
    const st = stackOf(req).state;
    return ok({
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
    });
  });

  router.on('GET', '/v1/:project_id/stacks/:stack_name/events', (req) => {
    rfsPreamble(req);
    const st = stackOf(req).state;
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
      if (filter) {
        let keep = true;
        for (const [param, values] of filter) {
          const v = e.wire[param];
          if (typeof v !== 'string' || !values.has(v)) {
            keep = false;
            break;
          }
        }
        if (!keep) continue;
      }
      matching.push(e);
    }
    const { items, pageInfo } = page(
      req,
      matching,
      queryKey(req, ['stack_id', 'deployment_id', 'filter', 'field', 'limit']),
    );
    const project = (e: StoredEvent) => {
      if (!fields) return e.wire;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(e.wire)) if (fields.has(k)) out[k] = v;
      return out;
    };
    return ok({ stack_events: items.map(project), ...(pageInfo ? { page_info: pageInfo } : {}) });
  });

  const handler = router.handler();
  const server = await startEmulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    handler: async (req): Promise<EmulatorReply> => {
      const requestId = randomUUID().replace(/-/g, '');
      let reply: EmulatorReply;
      try {
        reply = await handler(req);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        reply = {
          status: err.status,
          body:
            err.code === 'APIGW.0301'
              ? { error_msg: err.message, error_code: err.code, request_id: requestId }
              : { error_code: err.code, error_msg: err.message },
        };
      }
      // The gateway's clock, not the host's: clients correct their X-Sdk-Date from it.
      const date = new Date(clock()).toUTCString();
      return { ...reply, headers: { ...(reply.headers ?? {}), 'x-request-id': requestId, date } };
    },
  });

  return {
    url: server.url,
    projectId,
    server,
    addScenario,
    play: (stackName, steps, opts = {}) => {
      const l = live.get(stackName);
      if (!l || l.state.deleted) throw new Error(`stack ${stackName} does not exist`);
      const start = opts.startAt ?? clock();
      for (const step of steps) l.queue.push({ due: start + step.at, step });
      l.queue.sort((a, b) => a.due - b.due);
    },
    advance,
    finish: (stackName) => advance(stackName, Number.MAX_SAFE_INTEGER),
    stack: (name) => live.get(name)?.state,
    pending: (name) => {
      const l = live.get(name);
      return l ? l.queue.length : 0;
    },
    get tokensIssued() {
      return tokensIssued;
    },
    close: () => server.close(),
  };
}

function ok(body: unknown): EmulatorReply {
  return { status: 200, body };
}
