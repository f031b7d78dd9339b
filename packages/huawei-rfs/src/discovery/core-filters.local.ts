import type { DiscoveredTarget, DiscoverOptions } from '@stackfeed/core';

/*
 * Stand-in for core's `nameMatcher` / `matchesDiscoverFilters` / `inProgressFirst` (same
 * signatures and rules, from coord6/core-api.md) until they land on main: then this file goes and
 * the imports point at `@stackfeed/core/adapter`.
 */

/** Glob (`*`, `?`, whole name, case-sensitive) or RegExp → predicate; undefined matches every name. */
export function nameMatcher(name: string | RegExp | undefined): (name: string) => boolean {
  if (name === undefined) return () => true;
  if (name instanceof RegExp) {
    const re = new RegExp(name.source, name.flags.replace(/[gy]/g, ''));
    return (n) => re.test(n);
  }
  const source = name.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  const re = new RegExp(`^${source}$`, 's');
  return (n) => re.test(n);
}

/** kinds, activeOnly, name, tags (every tag must match) as one predicate. */
export function matchesDiscoverFilters(
  options: DiscoverOptions | undefined,
): (t: DiscoveredTarget<unknown>) => boolean {
  const kinds = options?.kinds;
  const name = nameMatcher(options?.name);
  const tags = Object.entries(options?.tags ?? {});
  return (t) =>
    (kinds === undefined || kinds.includes(t.kind)) &&
    (!options?.activeOnly || t.inProgress) &&
    name(t.name) &&
    tags.every(([k, v]) => t.tags?.[k] === v);
}

/** In-progress targets first, each group in its original order. */
export function inProgressFirst<T extends { inProgress: boolean }>(targets: T[]): T[] {
  return [...targets.filter((t) => t.inProgress), ...targets.filter((t) => !t.inProgress)];
}
