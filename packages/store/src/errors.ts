import { StackfeedError } from '@stackfeed/core';

/** SQLSTATE classes and codes that decide how a database failure is reported. */
const UNIQUE_VIOLATION = '23505';
const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';
/** Class 53: insufficient resources (53100 disk full, 53200 out of memory, 53300 too many connections). */
const RESOURCES_CLASS = '53';
/** Class 28: invalid authorization; 3D000: unknown database. */
const AUTH_CLASS = '28';
const UNKNOWN_DATABASE = '3D000';

/** Node network errors that mean "the server named by the URL cannot be reached". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT']);

function field(err: unknown, key: string): unknown {
  if (typeof err !== 'object' || err === null) return undefined;
  try {
    return (err as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The SQLSTATE of a pg or PGlite error, when it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = field(err, 'code');
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A failure worth one more try of the whole transaction (lock order races between writers). */
export function isTransient(err: unknown): boolean {
  const s = sqlState(err);
  return s === SERIALIZATION_FAILURE || s === DEADLOCK_DETECTED || s === UNIQUE_VIOLATION;
}

/**
 * Any failure of a store operation as a StackfeedError: CONFIG for a store that cannot be reached
 * or opened, CONFLICT for a write race that retries could not resolve, SERVER for the engine
 * failing (full disk, out of memory, a crash). The message names the engine and the operation,
 * never the URL's password.
 */
export function toStoreError(err: unknown, operation: string, engine: string): StackfeedError {
  if (StackfeedError.is(err)) return err;
  const state = sqlState(err);
  const netCode = field(err, 'code');
  const detail = String(field(err, 'message') ?? err);
  const base = { provider: 'core' as const, operation, cause: err };
  if (typeof netCode === 'string' && UNREACHABLE.has(netCode)) {
    return new StackfeedError({
      ...base,
      code: 'CONFIG',
      message: `store (${engine}): the database cannot be reached (${netCode}); check the store URL`,
    });
  }
  if (state?.startsWith(AUTH_CLASS) || state === UNKNOWN_DATABASE) {
    return new StackfeedError({
      ...base,
      code: 'CONFIG',
      providerCode: state,
      message: `store (${engine}): the database refused the connection: ${detail}`,
    });
  }
  if (state === UNIQUE_VIOLATION || state === SERIALIZATION_FAILURE || state === DEADLOCK_DETECTED) {
    return new StackfeedError({
      ...base,
      code: 'CONFLICT',
      providerCode: state,
      retryable: true,
      message: `store (${engine}) ${operation}: another writer kept racing this batch (${detail}); nothing of it was committed`,
    });
  }
  if (state?.startsWith(RESOURCES_CLASS) || netCode === 'ENOSPC') {
    return new StackfeedError({
      ...base,
      code: 'SERVER',
      providerCode: state ?? 'ENOSPC',
      retryable: false,
      message: `store (${engine}) ${operation}: the database is out of resources (${detail}); nothing of this batch was committed`,
    });
  }
  return new StackfeedError({
    ...base,
    code: 'SERVER',
    ...(state ? { providerCode: state } : {}),
    retryable: false,
    message: `store (${engine}) ${operation} failed: ${detail}`,
  });
}

/** A CONFIG error of the store (bad URL, newer schema, a data directory in use). */
export function configError(message: string, cause?: unknown): StackfeedError {
  return new StackfeedError({
    code: 'CONFIG',
    provider: 'core',
    operation: 'openStore',
    message,
    ...(cause === undefined ? {} : { cause }),
  });
}
