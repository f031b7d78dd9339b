import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { Logger, RateLimiter, RateLimitOptions, RetryOptions, TlsOptions } from '@stackfeed/core';
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
  /**
   * Retries of throttling, 5xx, network failures and timed-out attempts, with core's policy (default
   * 4 attempts, full-jitter back-off, Retry-After honoured). The SDK's own retries are off.
   */
  retry?: RetryOptions | undefined;
  /**
   * Attempts per AWS call, the first included (default 4).
   * @deprecated Use `retry.maxAttempts`.
   */
  maxAttempts?: number | undefined;
  /**
   * Client-side request budget over all AWS calls of this client: at most `limit` requests per
   * `intervalMs` (default 1 s), every attempt counted. Applied to your own `clients` too (a
   * middleware named `stackfeedRateLimit` is added to their stacks).
   */
  rateLimit?: RateLimiter | RateLimitOptions | undefined;
  /**
   * Deadline of one attempt of the SDK clients stackfeed creates, in ms (default 30 000): the
   * connection, the response headers and the WHOLE body must come within it (a body trickling one
   * byte a second times out too). A timed-out attempt is retried; the last one is TIMEOUT.
   */
  timeoutMs?: number | undefined;
  /** Deadline of one call across all its attempts and back-offs, in ms (default 120 000): TIMEOUT. */
  totalTimeoutMs?: number | undefined;
  /**
   * Largest response body accepted, in bytes, counted after decompression (default 64 MiB). Past it
   * the request is aborted and fails INVALID_RESPONSE naming the limit.
   */
  maxResponseBytes?: number | undefined;
  /** Structured retry and request log entries (never with credentials). */
  logger?: Logger | undefined;
  /**
   * TLS of the SDK clients stackfeed creates: extra CA certificate(s) (a VPC endpoint or a proxy
   * with a private CA), or `insecure` (local testing only). Certificates are verified by default.
   */
  tls?: TlsOptions | undefined;
}
