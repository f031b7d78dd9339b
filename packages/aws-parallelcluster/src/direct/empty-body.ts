/**
 * A 2xx answer with an EMPTY body is not a CloudFormation, EC2, Image Builder or CloudWatch Logs
 * response (awsQuery and ec2Query always send an XML document, awsJson and rest-json a JSON one).
 * The AWS SDK nevertheless reads an empty body as an empty output, and since no output member is
 * required by the models (`StackEvents`, `Stacks`, `Images`, `logStreams`, `events`, `NextToken`…),
 * it would pass as "no items, last page": a list would end short without a word. This
 * deserialize-step middleware sees the raw response before the SDK's deserializer and turns an
 * empty 2xx body into {@link EmptyBodyError}, which `fromAwsError` reports as INVALID_RESPONSE.
 * @internal
 */

/** Thrown by the middleware; mapped to INVALID_RESPONSE with the operation name. */
export class EmptyBodyError extends Error {
  override readonly name = 'EmptyBodyError';
  constructor(
    readonly httpStatus: number,
    readonly requestId: string | undefined,
  ) {
    super(`HTTP ${httpStatus} with an empty body where the service always sends a document`);
  }
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

const blank = (b: Uint8Array) => {
  for (const c of b) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  return true;
};

type Next = (args: unknown) => Promise<{ response: unknown; output?: unknown }>;

/** The middleware (step `deserialize`, priority `low`: inside the SDK's deserializer). */
export const emptyBodyMiddleware =
  (next: Next) =>
  async (args: unknown): Promise<{ response: unknown; output?: unknown }> => {
    const out = await next(args);
    const res = out.response as RawResponse | undefined;
    const status = res?.statusCode;
    if (!res || status === undefined || status < 200 || status >= 300) return out;
    const headers = res.headers ?? {};
    const requestId = headers['x-amzn-requestid'] ?? headers['x-amz-request-id'];
    const length = headers['content-length'];
    if (length !== undefined) {
      if (Number(length) === 0) throw new EmptyBodyError(status, requestId);
      return out;
    }
    // No Content-Length (chunked): read the body here and hand the bytes on to the deserializer.
    const body = res.body;
    if (body instanceof Uint8Array) {
      if (blank(body)) throw new EmptyBodyError(status, requestId);
      return out;
    }
    if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      const chunks: Uint8Array[] = [];
      for await (const c of body as AsyncIterable<Uint8Array | string>)
        chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
      const bytes = Buffer.concat(chunks);
      if (blank(bytes)) throw new EmptyBodyError(status, requestId);
      res.body = bytes;
    }
    return out;
  };

/** Options of `middlewareStack.add` for {@link emptyBodyMiddleware} (by name: added once per client). */
export const emptyBodyMiddlewareOptions = {
  step: 'deserialize',
  priority: 'low',
  name: 'stackfeedEmptyBodyCheck',
  override: true,
} as const;
