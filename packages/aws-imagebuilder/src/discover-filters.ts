/**
 * Local copy of core's discovery filters (`nameMatcher`, `matchesDiscoverFilters`,
 * `inProgressFirst`), to the signatures core lands on main; deleted when they do.
 */
import type { DiscoveredTarget, DiscoverOptions } from '@stackfeed/core';

/** A glob (`*`, `?`; the whole name; case-sensitive) or a RegExp → a name test. */
export function nameMatcher(name: string | RegExp | undefined): (name: string) => boolean {
  if (name === undefined) return () => true;
  if (name instanceof RegExp) {
    const re = new RegExp(name.source, name.flags.replace(/[gy]/g, ''));
    return (n) => re.test(n);
  }
  const source = name
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return (n) => re.test(n);
}

/** Kinds, activeOnly, name and tags (every tag must match) as one test. */
export function matchesDiscoverFilters(
  options: DiscoverOptions | undefined,
): (t: DiscoveredTarget<unknown>) => boolean {
  const kinds = options?.kinds ? new Set(options.kinds) : undefined;
  const name = nameMatcher(options?.name);
  const tags = Object.entries(options?.tags ?? {});
  return (t) =>
    (!kinds || kinds.has(t.kind)) &&
    (!options?.activeOnly || t.inProgress) &&
    name(t.name) &&
    tags.every(([k, v]) => t.tags?.[k] === v);
}

/** In-progress targets first, each group in its original order. */
export function inProgressFirst<T extends { inProgress: boolean }>(targets: T[]): T[] {
  return [...targets.filter((t) => t.inProgress), ...targets.filter((t) => !t.inProgress)];
}
