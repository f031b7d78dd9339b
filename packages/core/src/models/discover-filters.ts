import type { DiscoveredTarget, DiscoverOptions } from './discovery.js';

/** A glob (`*` any run, `?` one character, the whole name, case-sensitive) or a RegExp, as a test. */
export function nameMatcher(name: string | RegExp | undefined): (candidate: string) => boolean {
  if (name === undefined) return () => true;
  if (name instanceof RegExp) {
    // A global or sticky RegExp keeps lastIndex between tests: use a copy without those flags.
    const re = new RegExp(name.source, name.flags.replace(/[gy]/g, ''));
    return (candidate) => re.test(candidate);
  }
  const source = [...name]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`, 's');
  return (candidate) => re.test(candidate);
}

/** The filters of `discover()` as one predicate, the same on every provider. */
export function matchesDiscoverFilters(
  options: DiscoverOptions | undefined,
): (target: DiscoveredTarget<unknown>) => boolean {
  const kinds = options?.kinds ? new Set(options.kinds) : undefined;
  const name = nameMatcher(options?.name);
  const tags = options?.tags ? Object.entries(options.tags) : [];
  return (target) => {
    if (kinds && !kinds.has(target.kind)) return false;
    if (options?.activeOnly === true && !target.inProgress) return false;
    if (!name(target.name)) return false;
    for (const [key, value] of tags) if (target.tags?.[key] !== value) return false;
    return true;
  };
}

/** In-progress targets first, each group in its original order. */
export function inProgressFirst<T extends { inProgress: boolean }>(targets: readonly T[]): T[] {
  return [...targets.filter((t) => t.inProgress), ...targets.filter((t) => !t.inProgress)];
}
