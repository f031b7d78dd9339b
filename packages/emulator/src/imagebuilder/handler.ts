import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SIGV4_AUTH_RE, multiValueQuery, signatureMatches, skewMessage } from '../aws-sigv4.js';
import type { EmulatorReply, EmulatorRequest, Fault, Handler, Router } from '../harness.js';
import type { ImageBuilderStore, WireObject } from './store.js';

/**
 * The Image Builder rest-json routes (API 2019-12-02) over an {@link ImageBuilderStore}:
 * GET /GetLifecycleExecution, /GetImage, /GetWorkflowExecution (querystring input) and
 * POST /ListLifecyclePolicies, /ListLifecycleExecutions, /ListLifecycleExecutionResources, /ListImages,
 * /ListImageBuildVersions, /ListWorkflowExecutions, /ListWorkflowStepExecutions (JSON body).
 *
 * Errors are sent the way AWS rest-json services send them: the status of the error shape, an
 * `x-amzn-ErrorType` header naming it, a `{"message": …}` body, and `x-amzn-RequestId`.
 */

export interface ImageBuilderAuthOptions {
  /**
   * `check` (default): a well-formed SigV4 `Authorization` header for service `imagebuilder` and
   * an `x-amz-date` are required. `off`: anything goes.
   */
  mode?: 'check' | 'off';
  /**
   * When given, signatures are also verified against these keys (unknown key → 403). `expiresAt`
   * (ms, on `now` or the host clock) makes temporary credentials expire: 403 ExpiredTokenException.
   */
  credentials?: Array<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiresAt?: number }>;
  /**
   * The service's own clock. When given, an X-Amz-Date more than `maxSkewMs` (default 5 min) from
   * it is refused as AWS does (403 InvalidSignatureException "Signature expired: …") and every
   * reply carries this clock in `Date` (the AWS SDK corrects its clock from it).
   */
  now?: () => number;
  maxSkewMs?: number;
}

export interface ImageBuilderHandlerOptions {
  auth?: ImageBuilderAuthOptions;
  /** HMAC key of pagination tokens (default: random per handler). */
  tokenSecret?: string | Buffer;
  /** maxResults when the request has none (default 25). */
  defaultPageSize?: number;
  /**
   * Called before each Image Builder request is answered (after auth), with the operation name:
   * e.g. advance a ManualClock on every first-page poll so a watch sees a deployment progress.
   */
  onRequest?: (operation: string, input: Record<string, unknown>, store: ImageBuilderStore) => void;
  /**
   * Answer an EMPTY page that still carries a `nextToken` before the page at this item offset of
   * this List operation (the token resumes at the same offset, and that next request gets the real
   * page). The service model allows it ("when this field isn't empty, there are additional
   * elements", whatever the page held); clients must keep paging.
   */
  emptyPageBefore?: (operation: string, offset: number) => boolean;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const ERROR_STATUS: Record<string, number> = {
  InvalidRequestException: 400,
  InvalidPaginationTokenException: 400,
  ClientException: 400,
  ForbiddenException: 403,
  ResourceNotFoundException: 404,
  CallRateLimitExceededException: 429,
  ServiceException: 500,
  ServiceUnavailableException: 503,
  MissingAuthenticationTokenException: 403,
  ExpiredTokenException: 403,
  IncompleteSignatureException: 403,
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
};

/** The reply AWS would send for error shape `type` (e.g. `ForbiddenException`). */
export function imageBuilderErrorReply(type: string, message: string, status?: number): EmulatorReply {
  return {
    status: status ?? ERROR_STATUS[type] ?? 400,
    headers: {
      'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.imagebuilder/`,
      'x-amzn-requestid': randomUUID(),
    },
    body: { message },
  };
}

/**
 * A harness fault (for `server.faults.inject`) that answers with an Image Builder error shape, e.g.
 * `imageBuilderFault('CallRateLimitExceededException')`.
 */
export function imageBuilderFault(type: string, message = `injected ${type}`): Fault {
  const r = imageBuilderErrorReply(type, message);
  return { kind: 'status', status: r.status, headers: r.headers as Record<string, string>, body: r.body };
}

const AMZ_DATE_RE = /^(\d{8})T\d{6}Z$/;

function header(req: EmulatorRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function checkAuth(req: EmulatorRequest, opts: ImageBuilderAuthOptions): Promise<void> {
  if (opts.mode === 'off') return;
  const auth = header(req, 'authorization');
  if (!auth) throw new ApiError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = SIGV4_AUTH_RE.exec(auth);
  if (!m)
    throw new ApiError(
      403,
      'IncompleteSignatureException',
      'Authorization header requires Credential, SignedHeaders and Signature parameters (AWS4-HMAC-SHA256).',
    );
  const [, accessKeyId, credDate, region, service, signedHeaders, signature] = m as unknown as string[];
  if (service !== 'imagebuilder')
    throw new ApiError(
      403,
      'InvalidSignatureException',
      `Credential should be scoped to correct service: 'imagebuilder'.`,
    );
  const amzDate = header(req, 'x-amz-date');
  const dm = amzDate ? AMZ_DATE_RE.exec(amzDate) : null;
  if (!amzDate || !dm)
    throw new ApiError(403, 'IncompleteSignatureException', 'Authorization header requires existence of X-Amz-Date.');
  if (dm[1] !== credDate)
    throw new ApiError(403, 'InvalidSignatureException', 'Date in Credential scope does not match X-Amz-Date.');
  if (opts.now) checkSkew(amzDate, opts.now(), opts.maxSkewMs ?? 5 * 60_000);
  const signed = (signedHeaders as string).split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date'))
    throw new ApiError(403, 'IncompleteSignatureException', 'SignedHeaders must include host and x-amz-date.');
  if (!opts.credentials) return;
  const cred = credentialOf(req, opts, accessKeyId as string);
  const signedAuthorization = await signedAuthorizationOf(req, signed, region as string, cred, amzDate);
  if (!signatureMatches(signedAuthorization, signature as string))
    throw new ApiError(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
    );
}

/** `YYYYMMDDTHHMMSSZ` as epoch ms. */
function amzDateMs(amzDate: string): number {
  return Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
}

/** Throws AWS's 403 for a signature dated more than `max` ms from `now`. */
function checkSkew(amzDate: string, now: number, max: number): void {
  const skewed = skewMessage(amzDate, amzDateMs(amzDate), now, max);
  if (skewed) throw new ApiError(403, 'InvalidSignatureException', skewed);
}

type ImageBuilderCredential = NonNullable<ImageBuilderAuthOptions['credentials']>[number];

/** The accepted key the request names, with its session token and expiry checked; throws AWS's 403 otherwise. */
function credentialOf(
  req: EmulatorRequest,
  opts: ImageBuilderAuthOptions,
  accessKeyId: string,
): ImageBuilderCredential {
  const cred = opts.credentials?.find((c) => c.accessKeyId === accessKeyId);
  if (!cred)
    throw new ApiError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (cred.sessionToken !== undefined && header(req, 'x-amz-security-token') !== cred.sessionToken)
    throw new ApiError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (cred.expiresAt !== undefined && (opts.now?.() ?? Date.now()) >= cred.expiresAt)
    throw new ApiError(403, 'ExpiredTokenException', 'The security token included in the request is expired');
  return cred;
}

/** The Authorization header the official SigV4 signer computes for the request's signed headers, query and body. */
async function signedAuthorizationOf(
  req: EmulatorRequest,
  signed: string[],
  region: string,
  cred: ImageBuilderCredential,
  amzDate: string,
): Promise<unknown> {
  const headers: Record<string, string> = {};
  for (const h of signed) {
    const v = header(req, h);
    if (v !== undefined) headers[h] = v;
  }
  const query = multiValueQuery(req.url.searchParams);
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname: req.url.hostname,
    path: decodeURIComponent(req.rawPath),
    query,
    headers,
    body: req.body,
  });
  const signer = new SignatureV4({
    service: 'imagebuilder',
    region,
    credentials: cred,
    sha256: Hash.bind(null, 'sha256') as unknown as ConstructorParameters<typeof SignatureV4>[0]['sha256'],
  });
  const signedReq = await signer.sign(request, { signingDate: new Date(amzDateMs(amzDate)) });
  return signedReq.headers.authorization;
}

/** Opaque, HMAC-protected pagination tokens bound to the operation and its arguments. */
class TokenCodec {
  constructor(private readonly key: Buffer) {}

  encode(op: string, scope: string, offset: number, afterEmpty = false): string {
    const body = Buffer.from(
      JSON.stringify(afterEmpty ? { o: op, s: scope, i: offset, e: 1 } : { o: op, s: scope, i: offset }),
    ).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The offset a token resumes at, and whether an empty page was just served for that offset. */
  decode(token: string, op: string, scope: string): { offset: number; afterEmpty: boolean } {
    const bad = () => new ApiError(400, 'InvalidPaginationTokenException', 'The pagination token is invalid.');
    const dot = token.lastIndexOf('.');
    if (dot <= 0) throw bad();
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1));
    const want = Buffer.from(this.mac(body));
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) throw bad();
    let parsed: { o?: unknown; s?: unknown; i?: unknown; e?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw bad();
    }
    if (parsed.o !== op || parsed.s !== scope || typeof parsed.i !== 'number' || !Number.isInteger(parsed.i))
      throw bad();
    return { offset: parsed.i, afterEmpty: parsed.e === 1 };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

type Json = Record<string, unknown>;

function parseBody(req: EmulatorRequest): Json {
  if (!req.body) return {};
  try {
    const v = JSON.parse(req.body) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  } catch {
    // fall through
  }
  throw new ApiError(400, 'ClientException', 'The request body is not a JSON object.');
}

const LCE_RE = /^lce-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const WF_RE = /^wf-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const BUILD_ARN_RE =
  /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image\/[a-z0-9-_]+\/[0-9]+\.[0-9]+\.[0-9]+\/[0-9]+$/;
const VERSION_ARN_RE =
  /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image\/[a-z0-9-_]+\/[0-9]+\.[0-9]+\.[0-9]+$/;
const VERSION_OR_BUILD_ARN_RE =
  /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image\/[a-z0-9-_]+\/(?:(?:([0-9]+|x)\.([0-9]+|x)\.([0-9]+|x))|(?:[0-9]+\.[0-9]+\.[0-9]+\/[0-9]+))$/;
const FILTER_NAMES = new Set(['name', 'osVersion', 'platform', 'type', 'version']);
const OWNERS = new Set(['Self', 'Shared', 'Amazon', 'ThirdParty', 'AWSMarketplace']);

function requireString(input: Json, name: string, re?: RegExp): string {
  const v = input[name];
  if (typeof v !== 'string' || v === '')
    throw new ApiError(400, 'InvalidRequestException', `The value supplied for parameter '${name}' is required.`);
  if (re && !re.test(v))
    throw new ApiError(400, 'InvalidRequestException', `The value supplied for parameter '${name}' is not valid.`);
  return v;
}

function parseFilters(input: Json): Array<{ name: string; values: string[] }> | undefined {
  const f = input.filters;
  if (f === undefined) return undefined;
  if (!Array.isArray(f) || f.length < 1 || f.length > 10)
    throw new ApiError(400, 'InvalidRequestException', 'filters must hold 1 to 10 filters.');
  return f.map((x: unknown) => {
    const o = x as { name?: unknown; values?: unknown };
    if (typeof o?.name !== 'string' || !FILTER_NAMES.has(o.name))
      throw new ApiError(400, 'InvalidRequestException', `The filter name '${String(o?.name)}' is not supported.`);
    if (!Array.isArray(o.values) || o.values.length < 1 || o.values.length > 10)
      throw new ApiError(400, 'InvalidRequestException', 'A filter must have 1 to 10 values.');
    return { name: o.name, values: o.values.map(String) };
  });
}

const POLICY_FILTER_NAMES = new Set(['Name', 'Status']);

/** ListLifecyclePolicies `filters`: 1..10 of `Name` / `Status`, each with 1..10 values. */
function parsePolicyFilters(input: Json): Array<{ name: string; values: string[] }> | undefined {
  const f = input.filters;
  if (f === undefined) return undefined;
  if (!Array.isArray(f) || f.length < 1 || f.length > 10)
    throw new ApiError(400, 'InvalidRequestException', 'filters must hold 1 to 10 filters.');
  return f.map((x) => {
    const o = x as { name?: unknown; values?: unknown };
    if (typeof o?.name !== 'string' || !POLICY_FILTER_NAMES.has(o.name))
      throw new ApiError(400, 'InvalidRequestException', `The filter name '${String(o?.name)}' is not supported.`);
    if (!Array.isArray(o.values) || o.values.length < 1 || o.values.length > 10)
      throw new ApiError(400, 'InvalidRequestException', 'A filter must have 1 to 10 values.');
    return { name: o.name, values: o.values.map(String) };
  });
}

/**
 * Create the Image Builder handler over `store` (mount it with `startEmulator({ handler })`, or
 * use {@link mountImageBuilderRoutes} to add the routes to another emulator's Router).
 */
export function createImageBuilderHandler(store: ImageBuilderStore, opts: ImageBuilderHandlerOptions = {}): Handler {
  const routes = imageBuilderRoutes(store, opts);
  return async (req) => {
    const route = routes[`${req.method} ${req.rawPath}`];
    if (!route)
      return imageBuilderErrorReply('UnknownOperationException', `No operation for ${req.method} ${req.rawPath}`, 404);
    return route(req);
  };
}

/** Add the Image Builder routes to an existing Router (e.g. a combined ParallelCluster emulator). */
export function mountImageBuilderRoutes(
  router: Router,
  store: ImageBuilderStore,
  opts: ImageBuilderHandlerOptions = {},
): Router {
  for (const [key, handler] of Object.entries(imageBuilderRoutes(store, opts))) {
    const [method, path] = key.split(' ') as [string, string];
    router.on(method, path, handler);
  }
  return router;
}

/** What every operation's handler reads: the store, and the pager of its lists. */
interface RouteContext {
  store: ImageBuilderStore;
  pager: Pager;
}

/** An operation's answer to a request that passed auth (an {@link ApiError} is its error reply). */
type OperationHandler = (ctx: RouteContext, req: EmulatorRequest) => WireObject;

/** The items of one page of a list, or a function rendering only the requested window (and telling the total). */
type PageItems = WireObject[] | ((offset: number, size: number) => { items: WireObject[]; total: number });

/** Cuts lists into the pages requests ask for, with opaque next tokens bound to operation and scope. */
class Pager {
  constructor(
    private readonly tokens: TokenCodec,
    private readonly defaultPageSize: number,
    private readonly emptyPageBefore: ImageBuilderHandlerOptions['emptyPageBefore'],
  ) {}

  page(op: string, input: Json, scope: unknown, items: PageItems): { slice: WireObject[]; next: string | undefined } {
    const size = this.pageSize(input.maxResults);
    const scopeKey = JSON.stringify(scope);
    let offset = 0;
    let afterEmpty = false;
    const nt = input.nextToken;
    if (nt !== undefined) {
      if (typeof nt !== 'string' || nt.length < 1 || nt.length > 65535)
        throw new ApiError(400, 'InvalidPaginationTokenException', 'The pagination token is invalid.');
      ({ offset, afterEmpty } = this.tokens.decode(nt, op, scopeKey));
    }
    if (!afterEmpty && this.emptyPageBefore?.(op, offset))
      return { slice: [], next: this.tokens.encode(op, scopeKey, offset, true) };
    const window = typeof items === 'function' ? items(offset, size) : undefined;
    const slice = window ? window.items : (items as WireObject[]).slice(offset, offset + size);
    const total = window ? window.total : (items as WireObject[]).length;
    const next = offset + size < total ? this.tokens.encode(op, scopeKey, offset + size) : undefined;
    return { slice, next };
  }

  /** The model's `maxResults` (1..25), else the handler's default. */
  private pageSize(maxResults: unknown): number {
    if (maxResults === undefined) return this.defaultPageSize;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 25)
      throw new ApiError(
        400,
        'InvalidRequestException',
        `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 25`,
      );
    return maxResults;
  }
}

const withToken = (out: WireObject, next: string | undefined) => {
  if (next) out.nextToken = next;
  return out;
};

const queryOf = (req: EmulatorRequest) => Object.fromEntries(req.url.searchParams);

function getLifecycleExecution({ store }: RouteContext, req: EmulatorRequest): WireObject {
  const id = requireString(queryOf(req), 'lifecycleExecutionId', LCE_RE);
  const e = store.wireLifecycleExecution(id);
  if (!e) throw new ApiError(404, 'ResourceNotFoundException', `Lifecycle execution ${id} not found.`);
  return { lifecycleExecution: e };
}

function listLifecycleExecutions({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const arn = requireString(input, 'resourceArn', /^arn:aws[^:]*:imagebuilder:/);
  const { slice, next } = pager.page('ListLifecycleExecutions', input, [arn], store.wireLifecycleExecutionsFor(arn));
  return withToken({ lifecycleExecutions: slice }, next);
}

function listLifecyclePolicies({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const filters = parsePolicyFilters(input);
  const { slice, next } = pager.page(
    'ListLifecyclePolicies',
    input,
    [filters ?? null],
    store.wireLifecyclePolicies(filters),
  );
  return withToken({ lifecyclePolicySummaryList: slice }, next);
}

function listLifecycleExecutionResources({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const id = requireString(input, 'lifecycleExecutionId', LCE_RE);
  const parent = input.parentResourceId;
  if (parent !== undefined && (typeof parent !== 'string' || parent.length < 1 || parent.length > 1024))
    throw new ApiError(
      400,
      'InvalidRequestException',
      `The value supplied for parameter 'parentResourceId' is not valid.`,
    );
  if (!store.hasLifecycleExecution(id))
    throw new ApiError(404, 'ResourceNotFoundException', `Lifecycle execution ${id} not found.`);
  const { slice, next } = pager.page('ListLifecycleExecutionResources', input, [id, parent ?? null], (offset, limit) =>
    store.wireLifecycleResources(id, parent as string | undefined, { offset, limit }),
  );
  const out: WireObject = { lifecycleExecutionId: id, resources: slice };
  const state = store.wireLifecycleState(id);
  if (state) out.lifecycleExecutionState = state;
  return withToken(out, next);
}

function getImage({ store }: RouteContext, req: EmulatorRequest): WireObject {
  const arn = requireString(queryOf(req), 'imageBuildVersionArn', VERSION_OR_BUILD_ARN_RE);
  const resolved = store.resolveImageArns(arn)[0];
  const image = resolved ? store.wireImage(resolved) : undefined;
  if (!resolved || !image) throw new ApiError(404, 'ResourceNotFoundException', `Image ${arn} not found.`);
  const out: WireObject = { requestId: randomUUID(), image };
  const latest = store.wireLatestVersionReferences(resolved);
  if (latest) out.latestVersionReferences = latest;
  return out;
}

function listImages({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const owner = input.owner;
  if (owner !== undefined && (typeof owner !== 'string' || !OWNERS.has(owner)))
    throw new ApiError(400, 'InvalidRequestException', `The value supplied for parameter 'owner' is not valid.`);
  const filters = parseFilters(input);
  const includeDeprecated = input.includeDeprecated === true;
  const items = store.wireImageVersions({ owner: owner as string | undefined, filters, includeDeprecated });
  const { slice, next } = pager.page(
    'ListImages',
    input,
    [owner ?? 'Self', filters ?? null, includeDeprecated, input.byName ?? null],
    items,
  );
  return withToken({ requestId: randomUUID(), imageVersionList: slice }, next);
}

function listImageBuildVersions({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const arn = input.imageVersionArn === undefined ? undefined : requireString(input, 'imageVersionArn', VERSION_ARN_RE);
  const filters = parseFilters(input);
  const items = store.wireImageBuildVersions({ imageVersionArn: arn, filters });
  const { slice, next } = pager.page('ListImageBuildVersions', input, [arn ?? null, filters ?? null], items);
  return withToken({ requestId: randomUUID(), imageSummaryList: slice }, next);
}

function listWorkflowExecutions({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const arn = requireString(input, 'imageBuildVersionArn', BUILD_ARN_RE);
  const items = store.wireWorkflowExecutions(arn);
  if (!items) throw new ApiError(404, 'ResourceNotFoundException', `Image ${arn} not found.`);
  const { slice, next } = pager.page('ListWorkflowExecutions', input, [arn], items);
  const out: WireObject = { requestId: randomUUID(), workflowExecutions: slice, imageBuildVersionArn: arn };
  return withToken(out, next);
}

function listWorkflowStepExecutions({ store, pager }: RouteContext, req: EmulatorRequest): WireObject {
  const input = parseBody(req);
  const id = requireString(input, 'workflowExecutionId', WF_RE);
  const found = store.wireWorkflowSteps(id);
  if (!found) throw new ApiError(404, 'ResourceNotFoundException', `Workflow execution ${id} not found.`);
  const { slice, next } = pager.page('ListWorkflowStepExecutions', input, [id], found.steps);
  const out: WireObject = {
    requestId: randomUUID(),
    steps: slice,
    workflowBuildVersionArn: found.workflowBuildVersionArn,
    workflowExecutionId: id,
    imageBuildVersionArn: found.imageBuildVersionArn,
  };
  return withToken(out, next);
}

function getWorkflowExecution({ store }: RouteContext, req: EmulatorRequest): WireObject {
  const id = requireString(queryOf(req), 'workflowExecutionId', WF_RE);
  const wf = store.wireWorkflowExecution(id);
  if (!wf) throw new ApiError(404, 'ResourceNotFoundException', `Workflow execution ${id} not found.`);
  return { requestId: randomUUID(), ...wf };
}

/** Every operation the emulator serves: `"<METHOD> /<Operation>"` → its handler. */
const OPERATIONS: ReadonlyArray<[method: 'GET' | 'POST', operation: string, handler: OperationHandler]> = [
  ['GET', 'GetLifecycleExecution', getLifecycleExecution],
  ['POST', 'ListLifecycleExecutions', listLifecycleExecutions],
  ['POST', 'ListLifecyclePolicies', listLifecyclePolicies],
  ['POST', 'ListLifecycleExecutionResources', listLifecycleExecutionResources],
  ['GET', 'GetImage', getImage],
  ['POST', 'ListImages', listImages],
  ['POST', 'ListImageBuildVersions', listImageBuildVersions],
  ['POST', 'ListWorkflowExecutions', listWorkflowExecutions],
  ['POST', 'ListWorkflowStepExecutions', listWorkflowStepExecutions],
  ['GET', 'GetWorkflowExecution', getWorkflowExecution],
];

/**
 * One operation as a Handler: auth, `onRequest`, then the operation; its ApiError becomes the
 * AWS error reply, anything else a 500 ServiceException. Every reply carries a request id (and
 * the service clock in `Date` when the emulator has one).
 */
function operationHandler(
  op: string,
  handle: OperationHandler,
  ctx: RouteContext,
  opts: ImageBuilderHandlerOptions,
): Handler {
  const auth = opts.auth ?? {};
  const serverDate = (): Record<string, string> => (auth.now ? { date: new Date(auth.now()).toUTCString() } : {});
  return async (req) => {
    const requestId = randomUUID();
    try {
      await checkAuth(req, auth);
      if (opts.onRequest) {
        const input: Record<string, unknown> = req.method === 'GET' ? queryOf(req) : parseBody(req);
        opts.onRequest(op, input, ctx.store);
      }
      const body = handle(ctx, req);
      return {
        status: 200,
        headers: { 'x-amzn-requestid': requestId, 'content-type': 'application/json', ...serverDate() },
        body,
      };
    } catch (err) {
      if (err instanceof ApiError) {
        const r = imageBuilderErrorReply(err.type, err.message, err.status);
        (r.headers as Record<string, string>)['x-amzn-requestid'] = requestId;
        Object.assign(r.headers as Record<string, string>, serverDate());
        return r;
      }
      return imageBuilderErrorReply('ServiceException', `${op} failed: ${String(err)}`, 500);
    }
  };
}

/** The route table: `"<METHOD> <path>"` → handler. */
export function imageBuilderRoutes(
  store: ImageBuilderStore,
  opts: ImageBuilderHandlerOptions = {},
): Record<string, Handler> {
  const secret = opts.tokenSecret;
  const key = secret === undefined ? randomBytes(32) : Buffer.isBuffer(secret) ? secret : Buffer.from(secret);
  const pager = new Pager(new TokenCodec(key), opts.defaultPageSize ?? 25, opts.emptyPageBefore);
  const ctx: RouteContext = { store, pager };
  return Object.fromEntries(
    OPERATIONS.map(([method, op, handle]) => [`${method} /${op}`, operationHandler(op, handle, ctx, opts)]),
  );
}
