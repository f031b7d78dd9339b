import { readFile } from 'node:fs/promises';
import { type ProviderId, StackfeedError, type TargetKind } from '@stackfeed/core';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import type { BudgetOptions } from './budget.js';

/** What a place's discovery keeps (every filter must match). */
export interface PlaceFilters {
  /** A glob (`web-*`: `*` and `?`, the whole name) on the target's name. */
  name?: string;
  /** Tags every target must carry (where the provider has tags). */
  tags?: Record<string, string>;
  /** Only targets with an operation running. */
  activeOnly?: boolean;
}

/**
 * One place to discover and follow: a provider account (AWS profile, OpenStack cloud from
 * clouds.yaml, Huawei project) in one region, with the kinds to follow and filters.
 */
export interface Place {
  /** Stable name of the place, e.g. `aws-parallelcluster:profile=prod:region=eu-west-1`. */
  key: string;
  provider: ProviderId;
  profile?: string;
  cloud?: string;
  project?: string;
  region?: string;
  /** The kinds to follow (default: every kind the provider has). */
  kinds: TargetKind[];
  filters: PlaceFilters;
  /** The request budget this place draws on: one per provider account and region. */
  budget: BudgetOptions & { key: string };
}

/** Fleet-wide settings. */
export interface FleetSettings {
  /** How long a lease lasts without a heartbeat (default 30 s); heartbeats come every third of it. */
  leaseTtlMs: number;
  /** How often each place is discovered again (default 60 s). */
  discoverEveryMs: number;
  /** The poll interval handed to each follow (default 5 s). */
  pollIntervalMs: number;
}

/** A validated `stackfeed.yaml`. */
export interface FleetConfig {
  /** The file it was read from (for messages). */
  file: string;
  settings: FleetSettings;
  places: Place[];
}

/** One problem in a config file: where (`file:line:col`) and which key (`places[1].regions[0]`). */
export interface ConfigIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

/** The kinds each provider can follow. */
export const PROVIDER_KINDS: Readonly<Record<ProviderId, readonly TargetKind[]>> = {
  'openstack-heat': ['stack'],
  'huawei-rfs': ['stack'],
  'aws-parallelcluster': ['image', 'cluster'],
  'aws-imagebuilder': ['image-build', 'lifecycle-execution'],
};

/** Where each provider names its accounts, and whether it has regions. */
const ACCOUNT_KEY: Record<ProviderId, { key: 'profiles' | 'clouds' | 'projects'; regions: 'required' | 'optional' }> = {
  'aws-parallelcluster': { key: 'profiles', regions: 'required' },
  'aws-imagebuilder': { key: 'profiles', regions: 'required' },
  'huawei-rfs': { key: 'projects', regions: 'required' },
  'openstack-heat': { key: 'clouds', regions: 'optional' },
};

/** Requests per second per account and region when a config names none (below every provider's default quota). */
export const DEFAULT_BUDGET: Readonly<Required<Pick<BudgetOptions, 'limit' | 'intervalMs'>>> = {
  limit: 5,
  intervalMs: 1000,
};

const DEFAULT_SETTINGS: FleetSettings = { leaseTtlMs: 30_000, discoverEveryMs: 60_000, pollIntervalMs: 5000 };

const PLACE_KEYS = ['provider', 'profiles', 'clouds', 'projects', 'regions', 'kinds', 'filters', 'budget'];

/** Read and validate a `stackfeed.yaml`. @throws StackfeedError CONFIG listing every issue with file:line:col and key path. */
export async function loadFleetConfig(file: string): Promise<FleetConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'core',
      operation: 'loadFleetConfig',
      message: `${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      cause: err,
    });
  }
  return parseFleetConfig(text, file);
}

/** Validate config text. @throws StackfeedError CONFIG listing every issue. */
export function parseFleetConfig(text: string, file = 'stackfeed.yaml'): FleetConfig {
  const r = validateFleetConfig(text, file);
  if (!r.config) {
    const lines = r.issues.map((i) => `${i.file}:${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`);
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'core',
      operation: 'loadFleetConfig',
      message: `fleet config is invalid:\n${lines.join('\n')}`,
    });
  }
  return r.config;
}

/** Validate config text: the config, or every issue found. */
export function validateFleetConfig(
  text: string,
  file = 'stackfeed.yaml',
): { config: FleetConfig | undefined; issues: ConfigIssue[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const at = (offset: number | undefined, path: string, message: string) => {
    const p = lc.linePos(offset ?? 0);
    issues.push({ file, line: p.line, col: p.col, path, message });
  };
  const atNode = (node: Node | null | undefined, fallback: Node | null | undefined, path: string, message: string) =>
    at((node ?? fallback)?.range?.[0], path, message);
  for (const e of doc.errors) {
    issues.push({
      file,
      line: e.linePos?.[0]?.line ?? 1,
      col: e.linePos?.[0]?.col ?? 1,
      path: '',
      message: e.message.split('\n')[0] ?? e.message,
    });
  }
  if (issues.length) return { config: undefined, issues };
  const root = doc.contents;
  if (!isMap(root)) {
    atNode(root, undefined, '', 'the file must be a mapping with `places:`');
    return { config: undefined, issues };
  }

  const entry = (map: YAMLMap, key: string) => {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair ? { key: pair.key as Node, value: pair.value as Node | null } : undefined;
  };
  const unknownKeys = (map: YAMLMap, allowed: readonly string[], path: string) => {
    for (const p of map.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      if (!allowed.includes(k)) {
        atNode(p.key as Node, map, join(path, k), `unknown key (expected one of: ${allowed.join(', ')})`);
      }
    }
  };
  const positiveNumber = (map: YAMLMap, key: string, path: string, integer: boolean): number | undefined => {
    const e = entry(map, key);
    if (!e) return undefined;
    const v = isScalar(e.value) ? e.value.value : undefined;
    if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) {
      atNode(e.value, e.key, join(path, key), `expected a positive ${integer ? 'integer' : 'number'}`);
      return undefined;
    }
    return v;
  };
  const stringList = (map: YAMLMap, key: string, path: string): string[] | undefined => {
    const e = entry(map, key);
    if (!e) return undefined;
    const v = e.value;
    if (!isSeq(v) || v.items.length === 0) {
      atNode(v, e.key, join(path, key), 'expected a non-empty list of names');
      return undefined;
    }
    const out: string[] = [];
    v.items.forEach((item, i) => {
      const s = isScalar(item) ? item.value : undefined;
      if (typeof s !== 'string' || s.trim() === '')
        atNode(item as Node, v, `${join(path, key)}[${i}]`, 'expected a name');
      else if (out.includes(s)) atNode(item as Node, v, `${join(path, key)}[${i}]`, `${s} is listed twice`);
      else out.push(s);
    });
    return out;
  };
  const budgetOf = (node: Node | null | undefined, keyNode: Node, path: string): BudgetOptions | undefined => {
    if (!isMap(node)) {
      atNode(node, keyNode, path, 'expected a mapping { limit, intervalMs, slowdownMs }');
      return undefined;
    }
    unknownKeys(node, ['limit', 'intervalMs', 'slowdownMs'], path);
    const limit = positiveNumber(node, 'limit', path, true);
    if (!entry(node, 'limit')) atNode(node, keyNode, join(path, 'limit'), 'required');
    const intervalMs = positiveNumber(node, 'intervalMs', path, false);
    const slowdownMs = positiveNumber(node, 'slowdownMs', path, false);
    if (limit === undefined) return undefined;
    return { limit, ...(intervalMs ? { intervalMs } : {}), ...(slowdownMs ? { slowdownMs } : {}) };
  };

  unknownKeys(root, ['version', 'fleet', 'budgets', 'places'], '');
  const version = entry(root, 'version');
  if (version && !(isScalar(version.value) && version.value.value === 1)) {
    atNode(version.value, version.key, 'version', 'only version 1 is known');
  }

  const settings: FleetSettings = { ...DEFAULT_SETTINGS };
  const fleet = entry(root, 'fleet');
  if (fleet) {
    if (!isMap(fleet.value)) atNode(fleet.value, fleet.key, 'fleet', 'expected a mapping');
    else {
      unknownKeys(fleet.value, ['leaseTtlMs', 'discoverEveryMs', 'pollIntervalMs'], 'fleet');
      for (const k of ['leaseTtlMs', 'discoverEveryMs', 'pollIntervalMs'] as const) {
        const v = positiveNumber(fleet.value, k, 'fleet', false);
        if (v !== undefined) settings[k] = v;
      }
    }
  }

  const providerBudgets = new Map<string, BudgetOptions>();
  const budgets = entry(root, 'budgets');
  if (budgets) {
    if (!isMap(budgets.value)) atNode(budgets.value, budgets.key, 'budgets', 'expected a mapping of provider → budget');
    else {
      unknownKeys(budgets.value, Object.keys(PROVIDER_KINDS), 'budgets');
      for (const p of budgets.value.items) {
        const k = isScalar(p.key) ? String(p.key.value) : '';
        if (!(k in PROVIDER_KINDS)) continue;
        const b = budgetOf(p.value as Node, p.key as Node, join('budgets', k));
        if (b) providerBudgets.set(k, b);
      }
    }
  }

  const places: Place[] = [];
  const placesEntry = entry(root, 'places');
  if (!placesEntry) atNode(root, undefined, 'places', 'required: a list of places to follow');
  else if (!isSeq(placesEntry.value) || placesEntry.value.items.length === 0) {
    atNode(placesEntry.value, placesEntry.key, 'places', 'expected a non-empty list');
  } else {
    placesEntry.value.items.forEach((item, i) => {
      const path = `places[${i}]`;
      if (!isMap(item)) {
        atNode(item as Node, placesEntry.value, path, 'expected a mapping with `provider:`');
        return;
      }
      unknownKeys(item, PLACE_KEYS, path);
      const prov = entry(item, 'provider');
      const provider = prov && isScalar(prov.value) ? String(prov.value.value) : undefined;
      if (!prov) {
        atNode(item, undefined, join(path, 'provider'), 'required');
        return;
      }
      if (!provider || !(provider in PROVIDER_KINDS)) {
        atNode(
          prov.value,
          prov.key,
          join(path, 'provider'),
          `unknown provider (one of: ${Object.keys(PROVIDER_KINDS).join(', ')})`,
        );
        return;
      }
      const pid = provider as ProviderId;
      const acct = ACCOUNT_KEY[pid];
      for (const other of ['profiles', 'clouds', 'projects'] as const) {
        const e = entry(item, other);
        if (e && other !== acct.key)
          atNode(e.key, item, join(path, other), `${pid} places name their accounts in \`${acct.key}\``);
      }
      const accounts = stringList(item, acct.key, path);
      if (!entry(item, acct.key)) atNode(item, undefined, join(path, acct.key), 'required');
      const regions = stringList(item, 'regions', path);
      if (acct.regions === 'required' && !entry(item, 'regions'))
        atNode(item, undefined, join(path, 'regions'), 'required');
      let kinds = [...PROVIDER_KINDS[pid]];
      const kindsEntry = entry(item, 'kinds');
      const listed = stringList(item, 'kinds', path);
      if (listed && isSeq(kindsEntry?.value)) {
        const seq = kindsEntry.value;
        const bad = listed.findIndex((k) => !PROVIDER_KINDS[pid].includes(k as TargetKind));
        if (bad >= 0) {
          atNode(
            seq.items[bad] as Node,
            seq,
            `${join(path, 'kinds')}[${bad}]`,
            `${pid} has no kind ${listed[bad]} (one of: ${PROVIDER_KINDS[pid].join(', ')})`,
          );
        } else kinds = listed as TargetKind[];
      }
      const filters: PlaceFilters = {};
      const f = entry(item, 'filters');
      if (f) {
        const fp = join(path, 'filters');
        if (!isMap(f.value)) atNode(f.value, f.key, fp, 'expected a mapping { name, tags, activeOnly }');
        else {
          unknownKeys(f.value, ['name', 'tags', 'activeOnly'], fp);
          const n = entry(f.value, 'name');
          if (n) {
            if (isScalar(n.value) && typeof n.value.value === 'string' && n.value.value !== '')
              filters.name = n.value.value;
            else atNode(n.value, n.key, join(fp, 'name'), 'expected a name pattern (glob)');
          }
          const t = entry(f.value, 'tags');
          if (t) {
            if (!isMap(t.value)) atNode(t.value, t.key, join(fp, 'tags'), 'expected a mapping of tag → value');
            else {
              const tags: Record<string, string> = {};
              for (const p of t.value.items) {
                const k = isScalar(p.key) ? String(p.key.value) : '';
                const v = isScalar(p.value) ? p.value.value : undefined;
                if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') tags[k] = String(v);
                else atNode(p.value as Node, p.key as Node, join(join(fp, 'tags'), k), 'expected a tag value');
              }
              filters.tags = tags;
            }
          }
          const a = entry(f.value, 'activeOnly');
          if (a) {
            if (isScalar(a.value) && typeof a.value.value === 'boolean') filters.activeOnly = a.value.value;
            else atNode(a.value, a.key, join(fp, 'activeOnly'), 'expected true or false');
          }
        }
      }
      const be = entry(item, 'budget');
      const budget = (be ? budgetOf(be.value, be.key, join(path, 'budget')) : undefined) ??
        providerBudgets.get(pid) ?? { ...DEFAULT_BUDGET };
      if (!accounts || (acct.regions === 'required' && !regions)) return;
      const field = acct.key === 'profiles' ? 'profile' : acct.key === 'clouds' ? 'cloud' : 'project';
      for (const account of accounts) {
        for (const region of regions ?? [undefined]) {
          const name = `${pid}:${field}=${account}${region ? `:region=${region}` : ''}`;
          if (places.some((p) => p.key === name)) {
            atNode(item, undefined, path, `${name} is already named by an earlier place`);
            continue;
          }
          places.push({
            key: name,
            provider: pid,
            [field]: account,
            ...(region ? { region } : {}),
            kinds,
            filters,
            // One budget per provider account and region: places of the same account share it.
            budget: { ...budget, key: `${pid}:${account}:${region ?? '-'}` },
          });
        }
      }
    });
  }
  return issues.length ? { config: undefined, issues } : { config: { file, settings, places }, issues };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
