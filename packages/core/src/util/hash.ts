import { createHash } from 'node:crypto';

/**
 * A stable id for records that have none (RFS events, lifecycle resources): a hash of the
 * fields that identify the record. Same content → same id across re-reads and processes.
 * `parts` are joined with a separator that cannot appear in JSON-encoded strings unescaped.
 * Object parts are hashed with their keys sorted, so the id does not depend on key order.
 */
export function contentId(prefix: string, parts: ReadonlyArray<unknown>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p === undefined ? '\u0000u' : canonicalJson(p));
    h.update('\u0001');
  }
  return `${prefix}-${h.digest('base64url').slice(0, 22)}`;
}

/** JSON.stringify with object keys in sorted order (same output as JSON.stringify otherwise). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
