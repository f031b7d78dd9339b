// The CLI's version, without importing @stackfeed/core (and zod) for `--version`. The packages are
// released together; a test checks that this equals core's VERSION.
export const VERSION = '0.1.0';
