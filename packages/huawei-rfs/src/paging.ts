/** RFS page sizes and the cursors its continuation tokens carry (ListStackEvents, ListStacks, discover). */

/**
 * `limit` bounds of ListStackEvents and ListStacks: 10 to 1000, as the official Java SDK's request
 * models state them (`ListStackEventsRequest` / `ListStacksRequest`, "minimum: 10, maximum: 1000",
 * generated from the API definition; the Go and Python models carry no bounds). The server's own
 * page size without `limit` is not documented (the emulator uses 100): without `pageSize` the
 * largest page is asked for, the fewest round trips.
 */
export const PAGE_SIZE = { min: 10, max: 1000, default: 1000 } as const;

/** Pages read at most by one full read of a listing (10 million events at the largest page size). */
export const MAX_PAGES_PER_READ = 10_000;

/** A newest-first page cursor: the RFS marker plus the limit it was issued for (absent = server default). */
export interface MarkerCursor {
  marker: string;
  limit?: number;
}

/** An offset cursor: how many items of a list read whole (and reordered) came before this page. */
export interface OffsetCursor {
  offset: number;
}

/** The longest marker accepted back from a token (RFS markers are short opaque strings). */
const MAX_MARKER_CHARS = 4096;
/** The largest offset: past the items one full read can hold. */
const MAX_OFFSET = MAX_PAGES_PER_READ * PAGE_SIZE.max;

const isPageLimit = (n: unknown) =>
  Number.isInteger(n) && (n as number) >= PAGE_SIZE.min && (n as number) <= PAGE_SIZE.max;

/** Why a decoded newest-first cursor cannot be this call's (a reason refuses it), or undefined. */
export function markerCursorProblem(cursor: unknown): string | undefined {
  if (typeof cursor !== 'object' || cursor === null || Array.isArray(cursor)) return 'is not a marker cursor';
  const { marker, limit, ...rest } = cursor as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'has unknown fields';
  if (typeof marker !== 'string' || marker === '' || marker.length > MAX_MARKER_CHARS) return 'has no valid marker';
  if (limit !== undefined && !isPageLimit(limit)) return `has a limit outside ${PAGE_SIZE.min}..${PAGE_SIZE.max}`;
  return undefined;
}

/** Why a decoded oldest-first cursor cannot be this call's, or undefined. */
export function offsetCursorProblem(cursor: unknown): string | undefined {
  if (typeof cursor !== 'object' || cursor === null || Array.isArray(cursor)) return 'is not an offset cursor';
  const { offset, ...rest } = cursor as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return 'has unknown fields';
  if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) > MAX_OFFSET) {
    return `has an offset outside 0..${MAX_OFFSET}`;
  }
  return undefined;
}

export function markerCursor(marker: string, limit: number | undefined): MarkerCursor {
  return limit === undefined ? { marker } : { marker, limit };
}
