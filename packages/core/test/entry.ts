// Core's tests reach every module, public or internal, through one import.
export * from '../src/index.js';
export * from '../src/adapter.js';
export * from '../src/schemas.js';
export { MinHeap } from '../src/util/heap.js';
export { sleep, fullJitterDelay } from '../src/util/sleep.js';
export { sameOrigin } from '../src/transport/encoding.js';
export { parseRetryAfterSeconds, USER_AGENT } from '../src/transport/http-transport.js';
export { scopeDigest } from '../src/paging/continuation-token.js';
export { redactValue, REDACTED } from '../src/errors/redact.js';
export { formatPath } from '../src/mapping/wire.js';
export { TERMINAL_PHASES } from '../src/models/enums.js';
export { StackRefSchema, ProviderIdSchema } from '../src/models/schemas.js';
