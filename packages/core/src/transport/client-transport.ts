import type { ClientOptions } from '../models/client-options.js';
import type { TransportOptions } from './types.js';

/** The names of core's `ClientOptions` that an adapter forwards to the HttpTransports it builds. */
export const TRANSPORT_OPTION_NAMES = [
  'retry',
  'timeoutMs',
  'totalTimeoutMs',
  'maxResponseBytes',
  'logger',
  'tls',
  'rateLimit',
  'userAgent',
] as const;

/** One of {@link TRANSPORT_OPTION_NAMES}. */
export type TransportOptionName = (typeof TRANSPORT_OPTION_NAMES)[number];

/**
 * Of a client's options, those its HttpTransport takes (only the ones given), but for `omit`: a
 * token service's transport, say, leaves the client's `rateLimit` and `userAgent` to the calls the
 * budget is for.
 */
export function transportOptionsOf(
  options: Pick<ClientOptions, TransportOptionName>,
  omit: readonly TransportOptionName[] = [],
): Pick<TransportOptions, TransportOptionName> {
  const picked: Record<string, unknown> = {};
  for (const name of TRANSPORT_OPTION_NAMES) {
    if (options[name] !== undefined && !omit.includes(name)) picked[name] = options[name];
  }
  return picked as Pick<TransportOptions, TransportOptionName>;
}
