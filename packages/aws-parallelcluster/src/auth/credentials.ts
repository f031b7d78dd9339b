import { StackfeedError } from '@stackfeed/core';
import { registerCredentials } from '@stackfeed/core/adapter';

/** AWS credentials as the AWS SDK v3 shapes them. */
export interface AwsCredentials {
  /** The access key id (`AKIA…`, `ASIA…` for temporary credentials). */
  accessKeyId: string;
  /** The secret key: registered for redaction, never logged or put in an error. */
  secretAccessKey: string;
  /** The session token of temporary credentials. */
  sessionToken?: string | undefined;
  /** When temporary credentials expire: a provider is asked again before then. */
  expiration?: Date | undefined;
}

/** Static credentials, or a provider (e.g. from `@aws-sdk/credential-providers`) called when needed. */
export type CredentialsInput = AwsCredentials | (() => Promise<AwsCredentials>);

/** Every part of an identity (the access key id too) is registered for redaction by core's SDK helper. */
function protect(c: AwsCredentials): AwsCredentials {
  registerCredentials(c);
  return c;
}

/**
 * A credential provider that registers every secret it hands out (so it can never appear in a
 * message or log), caches until 5 minutes before expiry, and falls back to the AWS default provider
 * chain, imported only when first needed.
 */
export function credentialResolver(
  input: CredentialsInput | undefined,
): (() => Promise<AwsCredentials>) & { refresh(): boolean } {
  if (input !== undefined && typeof input !== 'function') {
    const fixed = protect({ ...input });
    // Static credentials: nothing to refresh.
    return Object.assign(async () => fixed, { refresh: () => false });
  }
  let provider: (() => Promise<AwsCredentials>) | undefined = input;
  let cached: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  /** Forget the cached credentials (the server said they are expired or invalid): true if there were any. */
  const refresh = (): boolean => {
    const had = cached !== undefined;
    cached = undefined;
    return had;
  };
  const resolve = async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 300_000)) return cached;
    pending ??= (async () => {
      try {
        if (!provider) {
          const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
          provider = fromNodeProviderChain() as () => Promise<AwsCredentials>;
        }
        cached = protect(await provider());
        return cached;
      } catch (err) {
        if (StackfeedError.is(err)) throw err;
        throw new StackfeedError({
          code: 'UNAUTHORIZED',
          provider: 'aws-parallelcluster',
          message: `no AWS credentials: ${err instanceof Error ? err.message : String(err)}`,
          cause: err,
          retryable: false,
        });
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
  return Object.assign(resolve, { refresh });
}
