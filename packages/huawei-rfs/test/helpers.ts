import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared`, where CI keeps the reference specs next to the clone. */
export const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url));

export function readShared<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(`${SHARED}${rel}`, 'utf8')) as T;
}
