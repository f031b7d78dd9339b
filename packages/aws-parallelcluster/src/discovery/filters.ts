import type { DiscoverOptions, DiscoveredTarget } from '@stackfeed/core';

/*
 * A local stand-in for core's discovery filters (`nameMatcher`, `matchesDiscoverFilters`,
 * `inProgressFirst` in `@stackfeed/core/adapter`), same signatures and rules. It goes once core's
 * land on main.
 */

/** A glob (`*`, `?`; whole name, case-sensitive) or a RegExp as a name test. @internal */
export function nameMatcher(name: string | RegExp | undefined): (name: string) => boolean {
  if (name === undefined) return () => true;
  if (name instanceof RegExp) {
    // A global or sticky RegExp keeps lastIndex between calls: test with a copy without them.
    const re = new RegExp(name.source, name.flags.replace(/[gy]/g, ''));
    return (n) => re.test(n);
  }
  let source = '';
  for (const ch of name) source += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  const re = new RegExp(`^${source}$`, 's');
  return (n) => re.test(n);
}

/** Kinds, activeOnly, name and tags (every tag must match) as one test. @internal */
export function matchesDiscoverFilters(
  options: DiscoverOptions | undefined,
): (t: DiscoveredTarget<unknown>) => boolean {
  const kinds = options?.kinds ? new Set(options.kinds) : undefined;
  const nameOk = nameMatcher(options?.name);
  const tags = Object.entries(options?.tags ?? {});
  return (t) =>
    (!kinds || kinds.has(t.kind)) &&
    (!options?.activeOnly || t.inProgress) &&
    nameOk(t.name) &&
    tags.every(([k, v]) => t.tags?.[k] === v);
}

/** In-progress targets first, each group in its input order (stable). @internal */
export function inProgressFirst<T extends { inProgress: boolean }>(targets: T[]): T[] {
  return [...targets.filter((t) => t.inProgress), ...targets.filter((t) => !t.inProgress)];
}
