import { createHash } from 'node:crypto';

/**
 * A stable id for records that have none (RFS events, lifecycle resources): a hash of the
 * fields that identify the record. Same content → same id across re-reads and processes.
 * `parts` are joined with a separator that cannot appear in JSON-encoded strings unescaped.
 */
export function contentId(prefix: string, parts: ReadonlyArray<unknown>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p === undefined ? '\u0000u' : JSON.stringify(p));
    h.update('\u0001');
  }
  return `${prefix}-${h.digest('base64url').slice(0, 22)}`;
}
