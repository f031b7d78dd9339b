import type { ProviderContext } from './types.js';

/** The AWS credentials both AWS providers use: the default provider chain, with `--profile` when given. */
export function awsCredentials(ctx: ProviderContext) {
  if (!ctx.profile) {
    // Keys in the CLI's environment (the one `run()` was given) come first, as in the AWS chain.
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN } = ctx.env;
    if (accessKeyId && secretAccessKey) {
      return { accessKeyId, secretAccessKey, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) };
    }
    return undefined; // the SDK's default chain: AWS_PROFILE, ~/.aws, SSO, instance roles
  }
  const profile = ctx.profile;
  return async () => {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    const c = await fromNodeProviderChain({ profile })();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      ...(c.expiration ? { expiration: c.expiration } : {}),
    };
  };
}

/** `--region`, else AWS_REGION / AWS_DEFAULT_REGION (the SDK reads the config file itself). */
export const awsRegion = (ctx: ProviderContext) => ctx.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;

/** How `--all-regions` asks EC2: the command line's region (else us-east-1, in every account) and credentials. */
export const awsRegionsOptions = (ctx: ProviderContext, endpoint: string | undefined) => ({
  region: awsRegion(ctx) ?? 'us-east-1',
  credentials: awsCredentials(ctx),
  logger: ctx.logger,
  endpoint,
});

export const AWS_CREDENTIALS_HINT =
  'AWS_PROFILE or --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), ~/.aws/config and ~/.aws/credentials, AWS_REGION or --region';

/**
 * The one AWS key pair `stackfeed emulator` accepts on every AWS emulator (ParallelCluster API,
 * CloudFormation, Image Builder), so that one set of printed variables works for every provider.
 * Loopback only; not a credential of any account.
 */
export const EMULATOR_AWS_KEYS = {
  accessKeyId: 'AKIASTACKFEEDEMULATOR',
  secretAccessKey: 'stackfeed-emulator-secret-key-0000000000',
} as const;
