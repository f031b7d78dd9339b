import type { ProviderPlugin } from './types.js';

/** A provider the CLI knows about; `load` imports its file only when it is used. */
export interface ProviderEntry {
  id: string;
  aliases: readonly string[];
  title: string;
  /** Undefined while the provider's adapter is not part of this build yet. */
  load?: () => Promise<ProviderPlugin>;
}

/**
 * The four providers. Each is loaded lazily, so `stackfeed events heat ...` loads no AWS code.
 * A provider without `load` is known but not wired into this build yet.
 */
export const BUILTIN_PROVIDERS: readonly ProviderEntry[] = [
  {
    id: 'aws-parallelcluster',
    aliases: ['pcluster', 'parallelcluster'],
    title: 'AWS ParallelCluster',
    load: async () => (await import('./aws-parallelcluster.js')).plugin,
  },
  {
    id: 'aws-imagebuilder',
    aliases: ['imagebuilder', 'image-builder'],
    title: 'EC2 Image Builder',
    load: async () => (await import('./aws-imagebuilder.js')).plugin,
  },
  {
    id: 'huawei-rfs',
    aliases: ['rfs', 'huawei'],
    title: 'Huawei Cloud RFS',
    load: async () => (await import('./huawei-rfs.js')).plugin,
  },
  {
    id: 'openstack-heat',
    aliases: ['heat', 'openstack'],
    title: 'OpenStack Heat',
    load: async () => (await import('./openstack-heat.js')).plugin,
  },
];

/** The providers a run can use: the built-in ones, with `extra` ones added or replacing them (tests, embedding). */
export function providerEntries(extra: readonly ProviderPlugin[] = []): ProviderEntry[] {
  const out: ProviderEntry[] = BUILTIN_PROVIDERS.map((e) => ({ ...e }));
  for (const p of extra) {
    const entry: ProviderEntry = { id: p.id, aliases: p.aliases, title: p.title, load: async () => p };
    const i = out.findIndex((e) => e.id === p.id);
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}

/** Finds a provider by id or alias, case-insensitively. */
export function findProvider(entries: readonly ProviderEntry[], name: string): ProviderEntry | undefined {
  const n = name.trim().toLowerCase();
  return entries.find((e) => e.id === n || e.aliases.includes(n));
}
