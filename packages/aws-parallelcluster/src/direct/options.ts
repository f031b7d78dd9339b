import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { RateLimiter, RateLimitOptions, TlsOptions } from '@stackfeed/core';
import type { CredentialsInput } from '../auth/credentials.js';

/** Options of direct mode (no deployed API: CloudFormation, EC2, Image Builder and CloudWatch Logs are read directly). */
export interface DirectModeOptions {
  /** AWS region (default: the AWS SDK's resolution: AWS_REGION, config file). */
  region?: string | undefined;
  /** Credentials (default: the AWS default provider chain). */
  credentials?: CredentialsInput | undefined;
  /** Endpoint overrides per service (local emulators, VPC endpoints). */
  endpoints?:
    | {
        cloudformation?: string | undefined;
        ec2?: string | undefined;
        imagebuilder?: string | undefined;
        logs?: string | undefined;
      }
    | undefined;
  /**
   * AWS SDK v3 clients you configured yourself (region, credentials, retry strategy, request
   * handler, middleware); stackfeed uses them as they are instead of creating its own.
   */
  clients?:
    | {
        cloudformation?: CloudFormationClient | undefined;
        ec2?: EC2Client | undefined;
        imagebuilder?: ImagebuilderClient | undefined;
        logs?: CloudWatchLogsClient | undefined;
      }
    | undefined;
  /** Attempts per AWS call, the first included (default 4); throttling and 5xx are retried with backoff. */
  maxAttempts?: number | undefined;
  /**
   * Client-side request budget over all AWS calls of this client: at most `limit` requests per
   * `intervalMs` (default 1 s), every attempt counted. Applied to your own `clients` too (a
   * middleware named `stackfeedRateLimit` is added to their stacks).
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /**
   * Per-attempt timeout in ms of the SDK clients stackfeed creates (default: the SDK's, none): the
   * connection, the response headers and each stall of the body must each come within it; a
   * timed-out attempt is retried within `maxAttempts`, the last one is StackfeedError TIMEOUT.
   */
  timeoutMs?: number | undefined;
  /**
   * TLS of the SDK clients stackfeed creates: extra CA certificate(s) (a VPC endpoint or a proxy
   * with a private CA), or `insecure` (local testing only). Certificates are verified by default.
   */
  tls?: TlsOptions | undefined;
}
