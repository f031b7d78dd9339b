/**
 * What the two adapters built on AWS SDK v3 clients (Image Builder, ParallelCluster direct mode)
 * share: middleware and error reading, structurally typed so that core loads no SDK.
 */

/** The part of an AWS SDK v3 client that the helpers below use. */
export interface SdkClientLike {
  middlewareStack: {
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware type, not imported by core.
    add(middleware: any, options: { step: 'deserialize'; priority: 'low'; name: string; override: boolean }): void;
    addRelativeTo(
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware type, not imported by core.
      middleware: any,
      options: { relation: 'after'; toMiddleware: string; name: string; override: boolean },
    ): void;
  };
}

/**
 * Thrown by the empty-body check: a 2xx answer with no document. Adapters map it to
 * INVALID_RESPONSE (not retried: the same request may well be answered the same).
 */
export class EmptyBodyError extends Error {
  override readonly name = 'EmptyBodyError';
  constructor(
    readonly httpStatus: number,
    readonly requestId: string | undefined,
    readonly commandName: string | undefined,
    /** What came instead of a document (default: an empty body). */
    what = 'an empty body',
  ) {
    super(`HTTP ${httpStatus} with ${what} where the service always sends a document`);
  }
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

/** The first byte that is not JSON whitespace. */
const firstByte = (b: Uint8Array) => {
  for (const c of b) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  return undefined;
};

const isJson = (headers: Record<string, string | undefined>) => /json/i.test(headers['content-type'] ?? '');

/**
 * A 2xx body must be a document: not blank, and (JSON protocols) a JSON object: every output shape
 * of a JSON protocol is a structure, so `[1,2,3]` is no answer (the SDK would read it as empty).
 */
function checkDocument(
  body: Uint8Array,
  headers: Record<string, string | undefined>,
  status: number,
  requestId: string | undefined,
  commandName: string | undefined,
): void {
  const first = firstByte(body);
  if (first === undefined) throw new EmptyBodyError(status, requestId, commandName);
  if (isJson(headers) && first !== 0x7b)
    throw new EmptyBodyError(status, requestId, commandName, 'a JSON body that is not an object');
}

type Next = (args: unknown) => Promise<{ response: unknown; output?: unknown }>;

const emptyBodyMiddleware =
  (next: Next, context: { commandName?: string }) =>
  async (args: unknown): Promise<{ response: unknown; output?: unknown }> => {
    const out = await next(args);
    const res = out.response as RawResponse | undefined;
    const status = res?.statusCode;
    if (!res || status === undefined || status < 200 || status >= 300) return out;
    const headers = res.headers ?? {};
    const requestId = headers['x-amzn-requestid'] ?? headers['x-amz-request-id'];
    const body = res.body;
    // Read whole (stackfeed's SDK request handler always does): check what it is.
    if (body instanceof Uint8Array) {
      checkDocument(body, headers, status, requestId, context.commandName);
      return out;
    }
    const length = headers['content-length'];
    if (length !== undefined) {
      if (Number(length) === 0) throw new EmptyBodyError(status, requestId, context.commandName);
      return out;
    }
    // No Content-Length (chunked): read the body here and hand the bytes on to the deserializer.
    if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      const chunks: Uint8Array[] = [];
      for await (const c of body as AsyncIterable<Uint8Array | string>)
        chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
      const bytes = Buffer.concat(chunks);
      checkDocument(bytes, headers, status, requestId, context.commandName);
      res.body = bytes;
    }
    return out;
  };

/**
 * A 2xx answer with an EMPTY body is no AWS response (query protocols always send an XML
 * document, JSON protocols a JSON one), but the SDK reads it as an empty output; since the models
 * mark no list member or `NextToken` as required, it would pass as "no items, last page" and a list
 * would end short without a word. This deserialize-step middleware sees the raw response first and
 * throws {@link EmptyBodyError}. Added by name with override: once per client, however often called.
 */
export function addSdkEmptyBodyCheck(client: SdkClientLike): void {
  client.middlewareStack.add(emptyBodyMiddleware, {
    step: 'deserialize',
    priority: 'low',
    name: 'stackfeedEmptyBodyCheck',
    override: true,
  });
}

/** SigV4's clock-skew answers (API Gateway, CloudFormation, EC2, CloudWatch Logs, Image Builder, STS…). */
const SKEW_MESSAGE =
  /Signature expired|Signature not yet current|RequestTimeTooSkewed|too skewed|Request has expired|in the future/i;
const SKEW_CODES = new Set(['RequestExpired', 'RequestTimeTooSkewed', 'RequestInTheFuture']);
const EXPIRED_CREDENTIALS = /security token included in the request is expired|ExpiredToken|token has expired/i;

/** Why AWS refused a signature, when its answer says. */
export type AwsAuthFailure =
  | {
      kind: 'clock-skew' /** Minutes the local clock is behind (> 0) or ahead (< 0), when the server's Date says. */;
      offMinutes?: number;
    }
  | { kind: 'expired-credentials' };

/** Read an authentication failure's answer for a clock skew (with how far off, from `serverDate`) or expired credentials. */
export function classifyAwsAuthFailure(
  message: string,
  code: string | undefined,
  serverDate?: string,
): AwsAuthFailure | undefined {
  if (SKEW_MESSAGE.test(message) || SKEW_CODES.has(code ?? '')) {
    const t = Date.parse(serverDate ?? '');
    const off = Number.isNaN(t) ? undefined : Math.round((t - Date.now()) / 60_000);
    return off === undefined || off === 0 ? { kind: 'clock-skew' } : { kind: 'clock-skew', offMinutes: off };
  }
  if (EXPIRED_CREDENTIALS.test(message) || code === 'ExpiredToken' || code === 'ExpiredTokenException')
    return { kind: 'expired-credentials' };
  return undefined;
}

/** "(this machine's clock is about N min behind the server's)", or '' when not known. */
export function describeClockOffset(f: AwsAuthFailure): string {
  if (f.kind !== 'clock-skew' || f.offMinutes === undefined) return '';
  const off = f.offMinutes;
  return ` (this machine's clock is about ${Math.abs(off)} min ${off > 0 ? 'behind' : 'ahead of'} the server's)`;
}

/** The `Date` header of the response an AWS SDK error came with, if it can be read. */
export function sdkErrorServerDate(err: unknown): string | undefined {
  try {
    const headers = (err as { $response?: { headers?: Record<string, unknown> } } | null)?.$response?.headers;
    const d = headers?.date ?? headers?.Date;
    return typeof d === 'string' ? d : undefined;
  } catch {
    return undefined;
  }
}

/** `String(value)` that cannot throw (null-prototype objects, symbols, a hostile toString). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
