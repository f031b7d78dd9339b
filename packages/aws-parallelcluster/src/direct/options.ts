import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { SdkAdapterOptions } from '@stackfeed/core/adapter';
import type { CredentialsInput } from '../auth/credentials.js';

/**
 * Options of direct mode (no deployed API: CloudFormation, EC2, Image Builder and CloudWatch Logs
 * are read directly). `retry` (core's policy; the SDK's own retries are off), `logger`,
 * `totalTimeoutMs` and `rateLimit` (one budget over all AWS calls, your own `clients` included:
 * a middleware named `stackfeedRateLimit` is added to their stacks) apply to every call;
 * `timeoutMs`, `maxResponseBytes`, `tls` and `userAgent` to the SDK clients stackfeed creates;
 * `region` defaults to the AWS SDK's resolution (AWS_REGION, the config file); `endpoint` is the
 * endpoint of all four services (one proxy or emulator), `endpoints` one service's. All but
 * `endpoints` are core's `ClientOptions`, documented there once.
 */
export interface DirectModeOptions extends SdkAdapterOptions {
  /** Credentials (default: the AWS default provider chain). */
  credentials?: CredentialsInput | undefined;
  /** Endpoint overrides per service (local emulators, VPC endpoints); each wins over `endpoint`. */
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
   * Attempts per AWS call, the first included (default 4).
   * @deprecated Use `retry.maxAttempts`.
   */
  maxAttempts?: number | undefined;
}
