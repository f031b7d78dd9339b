import { randomUUID } from 'node:crypto';
import { StackfeedError } from '@stackfeed/core';
import { type AuthHook, type SignableRequest, assertHeaderSafe, registerSecret } from '@stackfeed/core/adapter';
import { formatSdkDate, signRequest } from './signer.js';

/** A permanent or temporary Huawei Cloud access key. */
export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
  /** Set for temporary credentials (STS): sent and signed as `X-Security-Token`. */
  securityToken?: string | undefined;
}

/**
 * Temporary credentials from a provider (e.g. your STS / agency role code): asked again when the
 * ones in use are within 5 minutes of `expiresAt`, and once after the gateway refuses them.
 */
export type AkSkProvider = () => Promise<AkSkCredentials & { expiresAt?: Date | undefined }>;

/** Headers signed on every request when present (the Huawei SDKs sign these; `host` and `x-sdk-date` always). */
const SIGNED = ['client-request-id', 'content-type', 'host', 'x-project-id', 'x-sdk-date', 'x-security-token'];

/**
 * Stamp the headers RFS wants on every attempt: a fresh `Client-Request-Id` (UUID), `X-Project-Id`
 * and, for temporary credentials, `X-Security-Token`. Shared by the AK/SK and token hooks.
 */
export function stampRequest(req: SignableRequest, projectId: string | undefined): void {
  req.headers['client-request-id'] = randomUUID();
  if (projectId) req.headers['x-project-id'] = projectId;
}

/**
 * Register the key, secret and security token for redaction, then check the header-bound ones
 * (the AK goes into Authorization, the token into X-Security-Token): CONFIG on a line break.
 */
function registerCredentials(c: AkSkCredentials): void {
  registerSecret(c.accessKey);
  registerSecret(c.secretKey);
  registerSecret(c.securityToken);
  assertHeaderSafe('authorization', c.accessKey, { provider: 'huawei-rfs', option: 'credentials.accessKey' });
  if (c.securityToken) {
    assertHeaderSafe('x-security-token', c.securityToken, {
      provider: 'huawei-rfs',
      option: 'credentials.securityToken',
    });
  }
}

/**
 * AK/SK signing as a transport AuthHook: runs before every attempt, so `X-Sdk-Date` and
 * `Client-Request-Id` are fresh on retries.
 * @internal
 */
export class AkSkAuth implements AuthHook {
  private creds: AkSkCredentials | undefined;
  private readonly provider: AkSkProvider | undefined;
  private expiresAt: number | undefined;
  private pending: Promise<AkSkCredentials> | undefined;
  private readonly projectId: string | undefined;
  private readonly now: () => number;
  private readonly correctSkew: boolean;
  /** Added to the local clock for X-Sdk-Date once the server showed that ours is off. */
  private offsetMs = 0;
  /** Server time minus local time, from the last response's Date header. */
  private observedSkewMs: number | undefined;

  constructor(
    creds: AkSkCredentials | AkSkProvider,
    opts: {
      projectId?: string | undefined;
      now?: (() => number) | undefined;
      correctClockSkew?: boolean | undefined;
    } = {},
  ) {
    if (typeof creds === 'function') this.provider = creds;
    else {
      registerCredentials(creds);
      this.creds = { ...creds };
    }
    this.projectId = opts.projectId;
    this.now = opts.now ?? Date.now;
    this.correctSkew = opts.correctClockSkew ?? true;
  }

  /** The credentials to sign with: fixed ones, or the provider's (cached until 5 min before expiry). */
  private async current(): Promise<AkSkCredentials> {
    if (this.creds && (this.expiresAt === undefined || this.expiresAt - Date.now() > 300_000)) return this.creds;
    const provider = this.provider;
    if (!provider) return this.creds as AkSkCredentials;
    this.pending ??= (async () => {
      try {
        const c = await provider();
        if (!c || typeof c.accessKey !== 'string' || typeof c.secretKey !== 'string' || !c.accessKey || !c.secretKey)
          throw new Error('the credential provider returned no accessKey/secretKey');
        registerCredentials(c);
        this.creds = { accessKey: c.accessKey, secretKey: c.secretKey, securityToken: c.securityToken };
        this.expiresAt = c.expiresAt instanceof Date ? c.expiresAt.getTime() : undefined;
        return this.creds;
      } catch (err) {
        if (StackfeedError.is(err)) throw err;
        throw new StackfeedError({
          code: 'UNAUTHORIZED',
          provider: 'huawei-rfs',
          retryable: false,
          message: `no Huawei Cloud credentials from the credential provider: ${err instanceof Error ? err.message : String(err)}`,
          cause: err,
        });
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  async sign(req: SignableRequest): Promise<void> {
    const creds = this.provider ? await this.current() : (this.creds as AkSkCredentials);
    const h = req.headers;
    delete h.authorization;
    stampRequest(req, this.projectId);
    h['x-sdk-date'] = formatSdkDate(new Date(this.now() + this.offsetMs));
    if (creds.securityToken) h['x-security-token'] = creds.securityToken;
    else delete h['x-security-token'];
    h.host = req.url.host;
    const result = signRequest({
      method: req.method,
      url: req.url,
      headers: h,
      signedHeaders: SIGNED.filter((name) => h[name] !== undefined),
      body: req.body,
      accessKey: creds.accessKey,
      secretKey: creds.secretKey,
    });
    h.authorization = result.authorization;
  }

  /** The clock correction in use (ms added to the local clock), 0 until the server showed a skew. */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  /** Tell the signer the server's time (a response's `Date` header). */
  noteServerDate(date: string | string[] | undefined): void {
    const t = Date.parse(Array.isArray(date) ? (date[0] ?? '') : (date ?? ''));
    if (!Number.isNaN(t)) this.observedSkewMs = t - this.now();
  }

  /**
   * After a 401: when the server's Date shows our clock more than 5 minutes off (the gateway
   * accepts 15), sign with the server's time from now on and let the transport try once more, as
   * the AWS SDKs do for SigV4. Otherwise the 401 stands.
   */
  async onUnauthorized(): Promise<boolean> {
    const skew = this.observedSkewMs;
    if (this.correctSkew && skew !== undefined && Math.abs(skew - this.offsetMs) > 5 * 60_000) {
      this.offsetMs = skew;
      return true;
    }
    // Temporary credentials the gateway refused (expired early, revoked): ask the provider again, once.
    if (this.provider && this.creds) {
      this.creds = undefined;
      this.expiresAt = undefined;
      return true;
    }
    return false;
  }
}
