/**
 * Stands in for http2-wrapper in the bin (see tsup.bin.config.ts): got reads `auto` and
 * `globalAgent` only for an https request with `http2: true`, which stackfeed never sets.
 * The real module builds a TLSSocket when it loads.
 */
import { leftOut } from './left-out.js';

const fail = (): never => {
  throw leftOut('HTTP/2 support', 'http2-wrapper');
};

const http2wrapper = {
  get auto(): never {
    return fail();
  },
  get globalAgent(): never {
    return fail();
  },
};
export default http2wrapper;
