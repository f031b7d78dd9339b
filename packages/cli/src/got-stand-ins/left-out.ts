import { StackfeedError } from '@stackfeed/core';

/**
 * What the bin's stand-ins for got's optional modules throw if one is ever used: stackfeed's
 * transport never turns on got's HTTP/2, response cache or DNS cache (core's
 * test/got-options.test.ts), so the bin leaves them out instead of loading them at every start.
 */
export function leftOut(feature: string, module: string): StackfeedError {
  return new StackfeedError({
    code: 'CONFIG',
    provider: 'core',
    message: `got's ${feature} (${module}) is not part of the stackfeed bin: stackfeed does not use it`,
  });
}
