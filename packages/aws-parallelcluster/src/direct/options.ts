import type { Logger } from '@stackfeed/core';
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
  /** Attempts per AWS call, the first included (default 4); throttling and 5xx are retried with backoff. */
  maxAttempts?: number | undefined;
  logger?: Logger | undefined;
}
