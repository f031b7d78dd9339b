/**
 * Stands in for cacheable-request (and so keyv and http-cache-semantics) in the bin (see
 * tsup.bin.config.ts): got constructs it only for a request with the `cache` option, which
 * stackfeed never sets.
 */
import { leftOut } from './left-out.js';

export default class CacheableRequest {
  constructor() {
    throw leftOut('response cache', 'cacheable-request');
  }
}

/** got checks `instanceof` this on every failed request: a class nothing creates. */
export class CacheError extends Error {}
