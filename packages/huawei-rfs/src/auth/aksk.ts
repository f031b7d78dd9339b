import { randomUUID } from 'node:crypto';
import { type AuthHook, type SignableRequest, registerSecret } from '@stackfeed/core';
import { formatSdkDate, signRequest } from './signer.js';

/** A permanent or temporary Huawei Cloud access key. */
export interface AkSkCredentials {
  accessKey: string;
  secretKey: string;
  /** Set for temporary credentials (STS): sent and signed as `X-Security-Token`. */
  securityToken?: string | undefined;
}

/** Headers signed on every request when present (the set the research recommends). */
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
 * AK/SK signing as a transport AuthHook: runs before every attempt, so `X-Sdk-Date` and
 * `Client-Request-Id` are fresh on retries.
 */
export class AkSkAuth implements AuthHook {
  private readonly creds: AkSkCredentials;
  private readonly projectId: string | undefined;
  private readonly now: () => number;
  private readonly correctSkew: boolean;
  /** Added to the local clock for X-Sdk-Date once the server showed that ours is off. */
  private offsetMs = 0;
  /** Server time minus local time, from the last response's Date header. */
  private observedSkewMs: number | undefined;

  constructor(
    creds: AkSkCredentials,
    opts: { projectId?: string | undefined; now?: () => number; correctClockSkew?: boolean } = {},
  ) {
    this.creds = { ...creds };
    this.projectId = opts.projectId;
    this.now = opts.now ?? Date.now;
    this.correctSkew = opts.correctClockSkew ?? true;
    registerSecret(creds.accessKey);
    registerSecret(creds.secretKey);
    registerSecret(creds.securityToken);
  }

  sign(req: SignableRequest): void {
    const h = req.headers;
    delete h.authorization;
    stampRequest(req, this.projectId);
    h['x-sdk-date'] = formatSdkDate(new Date(this.now() + this.offsetMs));
    if (this.creds.securityToken) h['x-security-token'] = this.creds.securityToken;
    h.host = req.url.host;
    const result = signRequest({
      method: req.method,
      url: req.url,
      headers: h,
      signedHeaders: SIGNED.filter((name) => h[name] !== undefined),
      body: req.body,
      accessKey: this.creds.accessKey,
      secretKey: this.creds.secretKey,
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
    if (!this.correctSkew || skew === undefined || Math.abs(skew - this.offsetMs) <= 5 * 60_000) return false;
    this.offsetMs = skew;
    return true;
  }
}
