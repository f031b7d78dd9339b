import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { SIGV4_AUTH_RE, multiValueQuery, signatureMatches, skewMessage } from '../aws-sigv4.js';
import type { EmulatorRequest } from '../harness.js';

/** Why API Gateway refused a request (403 with `x-amzn-ErrorType`). */
export class GatewayAuthError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    /** API Gateway writes `Message` (capital M) for IAM denials. */
    readonly capitalMessage = false,
  ) {
    super(message);
  }
}

export interface SigV4VerifyOptions {
  /**
   * Accepted keys. `expiresAt` (ms, on the verifier's clock) makes temporary credentials expire:
   * from then on 403 ExpiredTokenException "The security token included in the request is expired".
   */
  credentials: ReadonlyArray<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiresAt?: number;
  }>;
  /** The region the signature must be scoped to (API Gateway's own region). */
  region: string;
  service?: string;
  /**
   * Allowed clock skew (default 5 min: a SigV4 request must reach AWS within five minutes of its
   * X-Amz-Date; API Gateway then answers "Signature expired: … (… - 5 min.)").
   */
  maxSkewMs?: number;
  now?: () => number;
}

function header(req: EmulatorRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Parse `x-amz-date` (`20260115T120000Z`). */
function parseAmzDate(v: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * Verify a SigV4 `Authorization` header the way API Gateway does, by recomputing the signature with
 * @smithy/signature-v4 (the signer the client uses) over the request as received: the raw path,
 * the query, and exactly the headers listed in SignedHeaders. Returns the access key id.
 */
export async function verifySigV4(req: EmulatorRequest, opts: SigV4VerifyOptions): Promise<string> {
  const auth = header(req, 'authorization');
  if (!auth) throw new GatewayAuthError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = SIGV4_AUTH_RE.exec(auth);
  if (!m)
    throw new GatewayAuthError(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${auth.split(' ')[0]}`,
    );
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = m as unknown as string[];
  const cred = opts.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!cred)
    throw new GatewayAuthError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = header(req, 'x-amz-date');
  const date = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || !date)
    throw new GatewayAuthError(
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  const now = opts.now?.() ?? Date.now();
  const skewed = skewMessage(amzDate, date.getTime(), now, opts.maxSkewMs ?? 5 * 60_000);
  if (skewed) throw new GatewayAuthError('InvalidSignatureException', skewed);
  checkScope({ scopeDate, amzDate, service: service as string, region: region as string }, opts);
  if (cred.sessionToken !== undefined && header(req, 'x-amz-security-token') !== cred.sessionToken)
    throw new GatewayAuthError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (cred.expiresAt !== undefined && now >= cred.expiresAt)
    throw new GatewayAuthError('ExpiredTokenException', 'The security token included in the request is expired');
  const signed = (signedHeaders as string).split(';');
  const headers: Record<string, string> = {};
  for (const h of signed) {
    const v = header(req, h);
    if (v === undefined)
      throw new GatewayAuthError('InvalidSignatureException', `Signed header ${h} is missing from the request`);
    if (h !== 'x-amz-date' && h !== 'x-amz-security-token') headers[h] = v;
  }
  if (!signed.includes('host'))
    throw new GatewayAuthError(
      'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization.",
    );
  const query = multiValueQuery(new URLSearchParams(req.rawQuery));
  const signer = new SignatureV4({
    service: service as string,
    region: region as string,
    credentials: {
      accessKeyId: cred.accessKeyId,
      secretAccessKey: cred.secretAccessKey,
      ...(cred.sessionToken ? { sessionToken: cred.sessionToken } : {}),
    },
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = new HttpRequest({
    method: req.method,
    hostname: (headers.host ?? '').replace(/:\d+$/, ''),
    path: req.rawPath,
    query,
    headers,
    ...(req.body ? { body: req.body } : {}),
  });
  const out = await signer.sign(request, {
    signingDate: date,
    signableHeaders: new Set(signed),
    unsignableHeaders: new Set(Object.keys(headers).filter((h) => !signed.includes(h))),
  });
  if (!signatureMatches(out.headers.authorization, signature as string))
    throw new GatewayAuthError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  return accessKeyId as string;
}

/** The credential scope's date, service and region as API Gateway checks them; throws its 403 otherwise. */
function checkScope(
  scope: { scopeDate: string | undefined; amzDate: string; service: string; region: string },
  opts: SigV4VerifyOptions,
): void {
  if (scope.scopeDate !== scope.amzDate.slice(0, 8))
    throw new GatewayAuthError(
      'InvalidSignatureException',
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP',
    );
  const wantService = opts.service ?? 'execute-api';
  if (scope.service !== wantService)
    throw new GatewayAuthError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${wantService}'. `,
    );
  if (scope.region !== opts.region)
    throw new GatewayAuthError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${scope.region}'. `,
    );
}
