/**
 * A 2xx answer with an EMPTY body is not an Image Builder response: rest-json always sends a JSON
 * document. The AWS SDK nevertheless reads an empty body as `{}`, and since the service model marks
 * no member of any output as required (`lifecycleExecutions`, `resources`, `imageVersionList`, …
 * and `nextToken` are all optional), `{}` would pass as "no items, last page": a list would end
 * short without a word. This deserialize-step middleware sees the raw response before the SDK's
 * deserializer and turns an empty 2xx body into {@link EmptyBodyError}, which the client reports
 * as StackfeedError INVALID_RESPONSE (not retried: the same request may well be answered the same).
 */

/** Thrown by the middleware; the client maps it to INVALID_RESPONSE with its operation name. */
export class EmptyBodyError extends Error {
  override readonly name = 'EmptyBodyError';
  constructor(
    readonly httpStatus: number,
    readonly requestId: string | undefined,
    readonly commandName: string | undefined,
  ) {
    super(`HTTP ${httpStatus} with an empty body`);
  }
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

const isWhitespace = (b: Uint8Array) => {
  for (const c of b) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  return true;
};

type Next = (args: unknown) => Promise<{ response: unknown; output?: unknown }>;

/** The middleware (step `deserialize`, priority `low`: inside the SDK's deserializer). */
export const emptyBodyMiddleware =
  (next: Next, context: { commandName?: string }) =>
  async (args: unknown): Promise<{ response: unknown; output?: unknown }> => {
    const out = await next(args);
    const res = out.response as RawResponse | undefined;
    const status = res?.statusCode;
    if (!res || status === undefined || status < 200 || status >= 300) return out;
    const headers = res.headers ?? {};
    const requestId = headers['x-amzn-requestid'];
    const length = headers['content-length'];
    if (length !== undefined) {
      if (Number(length) === 0) throw new EmptyBodyError(status, requestId, context.commandName);
      return out;
    }
    // No Content-Length (chunked): read the body here and hand the bytes on to the deserializer.
    const body = res.body;
    if (body instanceof Uint8Array) {
      if (isWhitespace(body)) throw new EmptyBodyError(status, requestId, context.commandName);
      return out;
    }
    if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      const chunks: Uint8Array[] = [];
      for await (const c of body as AsyncIterable<Uint8Array | string>)
        chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
      const bytes = Buffer.concat(chunks);
      if (isWhitespace(bytes)) throw new EmptyBodyError(status, requestId, context.commandName);
      res.body = bytes;
    }
    return out;
  };

/** Options of `middlewareStack.add` for {@link emptyBodyMiddleware}. */
export const emptyBodyMiddlewareOptions = {
  step: 'deserialize',
  priority: 'low',
  name: 'stackfeedEmptyBodyCheck',
  override: true,
} as const;
