import type { ProviderId, TargetKind } from '@stackfeed/core';
import { isMap, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { BudgetOptions } from './budget.js';
import { DEFAULT_BUDGET, PROVIDER_KINDS, type Place, type PlaceFilters } from './config-model.js';
import { type ConfigReader, joinPath } from './config-reader.js';

const PLACE_KEYS = ['provider', 'profiles', 'clouds', 'projects', 'regions', 'kinds', 'filters', 'budget'];

/** Where each provider names its accounts, and whether it has regions. */
const ACCOUNT_KEY: Record<ProviderId, { key: 'profiles' | 'clouds' | 'projects'; regions: 'required' | 'optional' }> = {
  'aws-parallelcluster': { key: 'profiles', regions: 'required' },
  'aws-imagebuilder': { key: 'profiles', regions: 'required' },
  'huawei-rfs': { key: 'projects', regions: 'required' },
  'openstack-heat': { key: 'clouds', regions: 'optional' },
};

/** One valid entry of `places:`, before it is expanded into one place per account and region. */
interface PlaceEntry {
  provider: ProviderId;
  accountField: 'profile' | 'cloud' | 'project';
  accounts: string[];
  regions: string[] | undefined;
  kinds: TargetKind[];
  filters: PlaceFilters;
  budget: BudgetOptions;
}

/** The `places:` section: each entry expanded into one place per account × region. */
export function readPlaces(
  r: ConfigReader,
  root: YAMLMap,
  providerBudgets: ReadonlyMap<string, BudgetOptions>,
): Place[] {
  const places: Place[] = [];
  const placesEntry = r.entry(root, 'places');
  if (!placesEntry) r.report(root, undefined, 'places', 'required: a list of places to follow');
  else if (!isSeq(placesEntry.value) || placesEntry.value.items.length === 0) {
    r.report(placesEntry.value, placesEntry.key, 'places', 'expected a non-empty list');
  } else {
    const seq = placesEntry.value;
    seq.items.forEach((item, i) => {
      const path = `places[${i}]`;
      if (!isMap(item)) {
        r.report(item as Node, seq, path, 'expected a mapping with `provider:`');
        return;
      }
      const entry = readPlaceEntry(r, item, path, providerBudgets);
      if (entry) expandPlace(r, entry, item, path, places);
    });
  }
  return places;
}

/** One entry of `places:`; undefined when it names no known provider or lacks its accounts or regions. */
function readPlaceEntry(
  r: ConfigReader,
  item: YAMLMap,
  path: string,
  providerBudgets: ReadonlyMap<string, BudgetOptions>,
): PlaceEntry | undefined {
  r.unknownKeys(item, PLACE_KEYS, path);
  const provider = readProvider(r, item, path);
  if (!provider) return undefined;
  const acct = ACCOUNT_KEY[provider];
  for (const other of ['profiles', 'clouds', 'projects'] as const) {
    const e = r.entry(item, other);
    if (e && other !== acct.key)
      r.report(e.key, item, joinPath(path, other), `${provider} places name their accounts in \`${acct.key}\``);
  }
  const accounts = r.nameList(item, acct.key, path);
  if (!r.entry(item, acct.key)) r.report(item, undefined, joinPath(path, acct.key), 'required');
  const regions = r.nameList(item, 'regions', path);
  if (acct.regions === 'required' && !r.entry(item, 'regions'))
    r.report(item, undefined, joinPath(path, 'regions'), 'required');
  const kinds = readKinds(r, item, path, provider);
  const filters = readFilters(r, item, path);
  const be = r.entry(item, 'budget');
  const budget = (be ? r.budget(be.value, be.key, joinPath(path, 'budget')) : undefined) ??
    providerBudgets.get(provider) ?? { ...DEFAULT_BUDGET };
  if (!accounts || (acct.regions === 'required' && !regions)) return undefined;
  const accountField = acct.key === 'profiles' ? 'profile' : acct.key === 'clouds' ? 'cloud' : 'project';
  return { provider, accountField, accounts, regions, kinds, filters, budget };
}

function readProvider(r: ConfigReader, item: YAMLMap, path: string): ProviderId | undefined {
  const prov = r.entry(item, 'provider');
  if (!prov) {
    r.report(item, undefined, joinPath(path, 'provider'), 'required');
    return undefined;
  }
  const provider = isScalar(prov.value) ? String(prov.value.value) : undefined;
  if (!provider || !(provider in PROVIDER_KINDS)) {
    const known = Object.keys(PROVIDER_KINDS).join(', ');
    r.report(prov.value, prov.key, joinPath(path, 'provider'), `unknown provider (one of: ${known})`);
    return undefined;
  }
  return provider as ProviderId;
}

/** `kinds:`, each one the provider has; every kind of the provider when absent or wrong. */
function readKinds(r: ConfigReader, item: YAMLMap, path: string, provider: ProviderId): TargetKind[] {
  const known = PROVIDER_KINDS[provider];
  const kindsEntry = r.entry(item, 'kinds');
  const listed = r.nameList(item, 'kinds', path);
  if (!listed || !isSeq(kindsEntry?.value)) return [...known];
  const seq: YAMLSeq = kindsEntry.value;
  const bad = listed.findIndex((k) => !known.includes(k as TargetKind));
  if (bad < 0) return listed as TargetKind[];
  r.report(
    seq.items[bad] as Node,
    seq,
    `${joinPath(path, 'kinds')}[${bad}]`,
    `${provider} has no kind ${listed[bad]} (one of: ${known.join(', ')})`,
  );
  return [...known];
}

/** `filters: { name, tags, activeOnly }`: the filters that are right (none when the mapping is wrong). */
function readFilters(r: ConfigReader, item: YAMLMap, path: string): PlaceFilters {
  const filters: PlaceFilters = {};
  const f = r.entry(item, 'filters');
  if (!f) return filters;
  const fp = joinPath(path, 'filters');
  if (!isMap(f.value)) {
    r.report(f.value, f.key, fp, 'expected a mapping { name, tags, activeOnly }');
    return filters;
  }
  r.unknownKeys(f.value, ['name', 'tags', 'activeOnly'], fp);
  const n = r.entry(f.value, 'name');
  if (n) {
    if (isScalar(n.value) && typeof n.value.value === 'string' && n.value.value !== '') filters.name = n.value.value;
    else r.report(n.value, n.key, joinPath(fp, 'name'), 'expected a name pattern (glob)');
  }
  const t = r.entry(f.value, 'tags');
  if (t) {
    const tags = readTags(r, t.value, t.key, joinPath(fp, 'tags'));
    if (tags) filters.tags = tags;
  }
  const a = r.entry(f.value, 'activeOnly');
  if (a) {
    if (isScalar(a.value) && typeof a.value.value === 'boolean') filters.activeOnly = a.value.value;
    else r.report(a.value, a.key, joinPath(fp, 'activeOnly'), 'expected true or false');
  }
  return filters;
}

/** `tags:` as tag → value, each scalar value as a string; the tags with a wrong value are left out. */
function readTags(r: ConfigReader, node: Node | null, keyNode: Node, path: string): Record<string, string> | undefined {
  if (!isMap(node)) {
    r.report(node, keyNode, path, 'expected a mapping of tag → value');
    return undefined;
  }
  const tags: Record<string, string> = {};
  for (const p of node.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
    const v = isScalar(p.value) ? p.value.value : undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') tags[k] = String(v);
    else r.report(p.value as Node, p.key as Node, joinPath(path, k), 'expected a tag value');
  }
  return tags;
}

/** One place per account × region of the entry (regions are optional for some providers), each named once. */
function expandPlace(r: ConfigReader, entry: PlaceEntry, item: YAMLMap, path: string, places: Place[]): void {
  const { provider, accountField, kinds, filters, budget } = entry;
  for (const account of entry.accounts) {
    for (const region of entry.regions ?? [undefined]) {
      const name = `${provider}:${accountField}=${account}${region ? `:region=${region}` : ''}`;
      if (places.some((p) => p.key === name)) {
        r.report(item, undefined, path, `${name} is already named by an earlier place`);
        continue;
      }
      places.push({
        key: name,
        provider,
        [accountField]: account,
        ...(region ? { region } : {}),
        kinds,
        filters,
        // One budget per provider account and region: places of the same account share it.
        budget: { ...budget, key: `${provider}:${account}:${region ?? '-'}` },
      });
    }
  }
}
