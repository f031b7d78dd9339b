import { StackfeedError, type ErrorCode } from '@stackfeed/core';
import { UsageError } from './usage.js';

export { EXIT, UsageError } from './usage.js';

const CHECK: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: 'the name or id, and the region/project your credentials point to',
  UNAUTHORIZED: 'your credentials',
  FORBIDDEN: 'the permissions of your credentials for this call',
  THROTTLED: 'your request rate; try again later or poll less often (--poll-interval)',
  BAD_REQUEST: 'the arguments and filters you passed',
  CONFLICT: 'whether another operation is changing the same resource',
  SERVER: "the provider's service health; the call was retried",
  NETWORK: 'that the endpoint is reachable from here (proxy, DNS, VPN), or pass --endpoint',
  TIMEOUT: 'the endpoint and your network; raise --timeout for long deployments',
  INVALID_RESPONSE: 'that --endpoint points to the right service (run with --debug to see the response path)',
  CONFIG: 'your configuration and the arguments',
};

/**
 * One clear line for an error: code, provider, operation, HTTP status, request id, the message,
 * and what to check. `credentialHint` names the provider's standard credential places.
 */
export function formatError(err: unknown, credentialHint?: string, setupFailed = false): string {
  if (err instanceof UsageError) {
    const help = err.command ? `stackfeed ${err.command} --help` : 'stackfeed --help';
    return `stackfeed: ${err.message} (see ${help})`;
  }
  const aws = awsSetupProblem(err);
  if (aws) return aws;
  if (StackfeedError.is(err)) {
    const where = [
      err.provider,
      err.operation,
      err.httpStatus !== undefined ? `HTTP ${err.httpStatus}` : undefined,
      err.providerCode,
      err.fieldPath !== undefined ? `field ${err.fieldPath}` : undefined,
      err.requestId !== undefined ? `request ${err.requestId}` : undefined,
    ].filter((s): s is string => typeof s === 'string' && s.length > 0);
    let check = CHECK[err.code] ?? 'the message above';
    // Keystone is reached through OS_AUTH_URL, not --endpoint (which names the Heat endpoint).
    if (err.code === 'NETWORK' && err.operation === 'authenticate') check = KEYSTONE_NETWORK_CHECK;
    const hint = err.code === 'UNAUTHORIZED' || (err.code === 'CONFIG' && setupFailed);
    if (hint && credentialHint) check = `${check}: ${credentialHint}`;
    const msg = withoutRepeats(oneLine(err.message), err);
    return `stackfeed: ${err.code}${where.length ? ` [${where.join(', ')}]` : ''}: ${msg} — check ${check}`;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return `stackfeed: unexpected error: ${oneLine(msg)} (run with --debug for details)`;
}

/** The error's detail for `--debug`: its stack and cause chain, secrets redacted by core. */
export function debugDetail(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && depth < 5; depth++) {
    if (cur instanceof Error) {
      parts.push(depth === 0 ? (cur.stack ?? String(cur)) : `caused by: ${cur.stack ?? String(cur)}`);
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(`caused by: ${String(cur)}`);
      break;
    }
  }
  return parts.join('\n');
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

const KEYSTONE_NETWORK_CHECK = 'that the Keystone URL (OS_AUTH_URL, auth_url in clouds.yaml) is reachable from here';

/**
 * The message without what the bracket already says: the SDK's messages start with the operation
 * and `HTTP 404 <code>:`, and Node's network errors repeat their code (`ECONNREFUSED connect ECONNREFUSED …`).
 */
function withoutRepeats(msg: string, err: StackfeedError): string {
  let m = msg;
  if (err.operation && m.startsWith(`${err.operation}: `)) m = m.slice(err.operation.length + 2);
  if (err.httpStatus !== undefined) {
    const head = `HTTP ${err.httpStatus}${err.providerCode ? ` ${err.providerCode}` : ''}`;
    if (m === head) return m;
    if (m.startsWith(`${head}: `)) m = m.slice(head.length + 2);
  }
  const first = /^([A-Z][A-Z_]{3,}) (.*)$/.exec(m);
  if (first?.[2]?.includes(first[1] as string)) m = first[2];
  return m;
}

const AWS_REGION_MISSING = /Region is missing|no AWS region|pass signingRegion|signing region of/i;
const AWS_CREDENTIALS_MISSING = /Could not load credentials|CredentialsProviderError|no AWS credentials/i;

/**
 * The two AWS set-up problems every new user meets, in the CLI's own terms and the same on both
 * AWS providers (the SDK and the adapters word them differently, and name SDK options).
 */
function awsSetupProblem(err: unknown): string | undefined {
  const provider = StackfeedError.is(err) ? err.provider : undefined;
  const text = err instanceof Error ? `${err.message} ${err.name}` : String(err);
  if (provider !== undefined && !provider.startsWith('aws-')) return undefined;
  if (provider === undefined && !/Region is missing|Could not load credentials/.test(text)) return undefined;
  const who = provider ? ` [${provider}]` : '';
  if (AWS_REGION_MISSING.test(text)) {
    return `stackfeed: CONFIG${who}: no AWS region — pass --region or set AWS_REGION (or a region in ~/.aws/config)`;
  }
  if (AWS_CREDENTIALS_MISSING.test(text)) {
    return `stackfeed: UNAUTHORIZED${who}: no AWS credentials found — check AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), ~/.aws/credentials`;
  }
  return undefined;
}
