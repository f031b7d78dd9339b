import type { Logger, StackEvent, StackInfo } from '@stackfeed/core';
import { StackfeedError } from '@stackfeed/core';
import {
  type HttpResponse,
  HttpTransport,
  type TokenKey,
  assertHeaderSafe,
  createTokenKey,
  parseWire,
  registerSecret,
  transportOptionsOf,
} from '@stackfeed/core/adapter';
import { KeystoneSession } from '../auth/keystone.js';
import { isNoEventsFound, parseHeatError } from '../errors.js';
import { type CanonicalStack, normalizeEventList, toStackInfo } from '../mapping/event.js';
import { loadSchemas } from '../wire/load.js';
import {
  type HeatStackRef,
  canonicalFromPath,
  canonicalFromUrl,
  canonicalOf,
  lookupKeyOf,
  pathSegment,
} from './refs.js';

import type { HeatClientOptions } from '../options.js';

export const PROVIDER = 'openstack-heat' as const;

/** What {@link HeatApi} needs: the client's own options, one definition (src/options.ts). */
export type HeatApiOptions = HeatClientOptions;

/** One page of a stack's events as Heat sent it, and the stack it belongs to. */
export interface FetchedEvents {
  events: StackEvent[];
  stack: CanonicalStack | undefined;
  res: HttpResponse | undefined;
}

/**
 * The requests the client and the watch share: one transport, the Keystone session, stack lookup
 * and one page of events. Internal: not exported from the package.
 */
export class HeatApi {
  readonly session: KeystoneSession;
  readonly logger: Logger | undefined;
  /** The catalog region the client was given (discovery targets carry it). */
  readonly region: string | undefined;
  private readonly http: HttpTransport;
  private readonly headers: Record<string, string>;

  /** Signs this client's continuation tokens (one key per client). */
  readonly tokenKey: TokenKey;

  constructor(opts: HeatApiOptions) {
    checkHeaderOptions(opts);
    this.tokenKey = createTokenKey(opts.tokenKey);
    this.session = new KeystoneSession({
      auth: opts.auth,
      endpoint: opts.endpoint,
      region: opts.region,
      interface: opts.interface,
      refreshMarginMs: opts.tokenRefreshMarginMs,
      timeoutMs: opts.timeoutMs,
      totalTimeoutMs: opts.totalTimeoutMs,
      maxResponseBytes: opts.maxResponseBytes,
      retry: opts.retry,
      logger: opts.logger,
      tls: opts.tls,
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.headers = { ...(opts.headers ?? {}) };
    for (const [k, v] of Object.entries(this.headers)) if (/token|auth/i.test(k)) registerSecret(v);
    this.logger = opts.logger;
    this.region = opts.region;
    this.http = new HttpTransport({
      provider: PROVIDER,
      auth: this.session.hook,
      parseError: parseHeatError,
      ...transportOptionsOf(opts),
    });
  }

  /** The orchestration endpoint (`…/v1/{tenant}`), from the options or the catalog. */
  endpoint(signal: AbortSignal | undefined): Promise<string> {
    return this.session.endpoint(signal);
  }

  /** One stack (`GET /stacks/{name}/{id}`; a name or id alone goes through Heat's lookup redirect). */
  async getStack(ref: HeatStackRef, signal: AbortSignal | undefined): Promise<StackInfo> {
    const base = await this.endpoint(signal);
    const c = canonicalOf(ref);
    const url = `${base}/stacks/${c ? `${pathSegment(c.name)}/${pathSegment(c.id)}` : pathSegment(lookupKeyOf(ref))}`;
    const res = await this.get(url, {}, 'getStack', signal);
    const { StackShowSchema, StackShowWire } = await loadSchemas();
    const body = parseWire(StackShowSchema, res.body, this.ctx('getStack', res));
    const stack = parseWire(StackShowWire, res.body, this.ctx('getStack', res)).stack;
    return toStackInfo(stack, body.stack);
  }

  /** Name and id of a stack (one lookup when only one of them is known). */
  async resolveStack(ref: HeatStackRef, signal: AbortSignal | undefined): Promise<CanonicalStack> {
    const known = canonicalOf(ref);
    if (known) return known;
    // `events?limit=0` is the cheapest URL that Heat redirects to the canonical one.
    const base = await this.endpoint(signal);
    const res = await this.get(
      `${base}/stacks/${pathSegment(lookupKeyOf(ref))}/events`,
      { limit: 0 },
      'resolveStack',
      signal,
    );
    const fromUrl = canonicalFromUrl(res.url, base);
    if (fromUrl) return fromUrl;
    const info = await this.getStack(ref, signal);
    return { name: info.name, id: info.id as string };
  }

  /** One page of events of a stack (or of one of its resources). */
  async fetchEvents(
    ref: HeatStackRef,
    known: CanonicalStack | undefined,
    resourceName: string | undefined,
    query: Record<string, unknown>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<FetchedEvents> {
    const base = await this.endpoint(signal);
    let stack = known ?? canonicalOf(ref);
    if (resourceName !== undefined && !stack) stack = await this.resolveStack(ref, signal);
    const stackPath = stack
      ? `stacks/${pathSegment(stack.name)}/${pathSegment(stack.id)}`
      : `stacks/${pathSegment(lookupKeyOf(ref))}`;
    const url = `${base}/${stackPath}${resourceName !== undefined ? `/resources/${pathSegment(resourceName)}` : ''}/events`;
    let res: HttpResponse;
    try {
      res = await this.get(url, query, operation, signal);
    } catch (err) {
      if (resourceName !== undefined && StackfeedError.is(err, 'NOT_FOUND') && isNoEventsFound(err)) {
        return { events: [], stack, res: undefined };
      }
      throw err;
    }
    stack ??= canonicalFromUrl(res.url, base);
    const events = await normalizeEventList(res.body, stack, this.ctx(operation, res));
    return { events, stack, res };
  }

  /**
   * GET with the client's headers; the body must be JSON (the transport checks it). Heat answers a
   * name-only URL with a 302 to `…/stacks/{name}/{id}/…`. On the same origin the transport follows
   * it with the token. Behind a TLS-terminating proxy the Location names Heat's own `http://…` host
   * instead: its origin is never contacted; its path from `/stacks/` on is requested on the
   * configured endpoint.
   */
  async get(
    url: string,
    query: Record<string, unknown>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const base = await this.endpoint(signal);
    return this.http.request({
      url,
      query: query as never,
      headers: this.headers,
      operation,
      signal,
      relocate: (location) => onEndpoint(location, base),
    });
  }

  ctx(operation: string, res: HttpResponse) {
    return { provider: PROVIDER, operation, requestId: res.requestId };
  }

  warn(operation: string, message: string): void {
    this.logger?.({ level: 'warn', event: 'error', provider: PROVIDER, operation, message });
  }
}

/** CR/LF in anything that becomes a header is CONFIG at construction, before any request. */
function checkHeaderOptions(opts: HeatApiOptions): void {
  const ctx = (option: string) => ({ provider: PROVIDER, option });
  if (opts.userAgent !== undefined) assertHeaderSafe('User-Agent', opts.userAgent, ctx('userAgent'));
  for (const [name, value] of Object.entries(opts.headers ?? {})) assertHeaderSafe(name, value, ctx('headers'));
  const a = opts.auth;
  if ((a.type === 'none' || a.type === 'token') && a.token !== undefined) {
    assertHeaderSafe('X-Auth-Token', a.token, ctx('auth.token'));
  }
}

/**
 * A cross-origin redirect's Location → the same Heat path on the configured endpoint: `{base}/stacks/…`
 * plus the Location's query. Undefined when the Location is no Heat stack URL.
 */
function onEndpoint(location: URL, base: string): string | undefined {
  const at = location.pathname.indexOf('/stacks/');
  if (at < 0 || !canonicalFromPath(location.pathname.slice(at))) return undefined;
  return `${base.replace(/\/+$/, '')}${location.pathname.slice(at)}${location.search}`;
}
