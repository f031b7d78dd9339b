/**
 * Stands in for cacheable-lookup in the bin (see tsup.bin.config.ts): got constructs it only for
 * a request with `dnsCache: true`, which stackfeed never sets.
 */
import { leftOut } from './left-out.js';

export default class CacheableLookup {
  constructor() {
    throw leftOut('DNS cache', 'cacheable-lookup');
  }
}
