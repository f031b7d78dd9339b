import type { DiscoveredTarget, DiscoverOptions } from '@stackfeed/core';

// Stand-in for core's `nameMatcher` / `matchesDiscoverFilters` (same signatures) until they land on
// main; this file goes once they do.

/** A glob (`*`, `?`; the whole name, case-sensitive) or a RegExp → a name test; undefined matches all. */
export function nameMatcher(name: string | RegExp | undefined): (name: string) => boolean {
  if (name === undefined) return () => true;
  if (name instanceof RegExp) return (n) => new RegExp(name.source, name.flags.replace(/[gy]/g, '')).test(n);
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
  return (n) => re.test(n);
}

/** Kinds, activeOnly, name and tags (every tag must match) as one predicate. */
export function matchesDiscoverFilters(
  options: DiscoverOptions | undefined,
): (t: DiscoveredTarget<unknown>) => boolean {
  const name = nameMatcher(options?.name);
  const kinds = options?.kinds;
  const tags = Object.entries(options?.tags ?? {});
  return (t) =>
    (kinds === undefined || kinds.includes(t.kind)) &&
    (!options?.activeOnly || t.inProgress) &&
    name(t.name) &&
    tags.every(([k, v]) => t.tags?.[k] === v);
}
