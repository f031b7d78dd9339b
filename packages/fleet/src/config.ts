import { readFile } from 'node:fs/promises';
import { StackfeedError } from '@stackfeed/core';
import { isMap, isScalar, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import type { BudgetOptions } from './budget.js';
import { type ConfigIssue, type FleetConfig, type FleetSettings, PROVIDER_KINDS } from './config-model.js';
import { readPlaces } from './config-places.js';
import { ConfigReader, joinPath } from './config-reader.js';

export {
  type ConfigIssue,
  DEFAULT_BUDGET,
  type FleetConfig,
  type FleetSettings,
  type Place,
  type PlaceFilters,
  PROVIDER_KINDS,
} from './config-model.js';

const DEFAULT_SETTINGS: FleetSettings = { leaseTtlMs: 30_000, discoverEveryMs: 60_000, pollIntervalMs: 5000 };

const SETTING_KEYS = ['leaseTtlMs', 'discoverEveryMs', 'pollIntervalMs'] as const;

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
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const r = new ConfigReader(file, lines);
  // A YAML error leaves nothing worth checking: report only those.
  for (const e of doc.errors) {
    r.issues.push({
      file,
      line: e.linePos?.[0]?.line ?? 1,
      col: e.linePos?.[0]?.col ?? 1,
      path: '',
      message: e.message.split('\n')[0] ?? e.message,
    });
  }
  if (r.issues.length) return { config: undefined, issues: r.issues };
  const root = doc.contents;
  if (!isMap(root)) {
    r.report(root, undefined, '', 'the file must be a mapping with `places:`');
    return { config: undefined, issues: r.issues };
  }
  r.unknownKeys(root, ['version', 'fleet', 'budgets', 'places'], '');
  checkVersion(r, root);
  const settings = readSettings(r, root);
  const places = readPlaces(r, root, readProviderBudgets(r, root));
  return r.issues.length ? { config: undefined, issues: r.issues } : { config: { file, settings, places }, issues: [] };
}

function checkVersion(r: ConfigReader, root: YAMLMap): void {
  const version = r.entry(root, 'version');
  if (version && !(isScalar(version.value) && version.value.value === 1)) {
    r.report(version.value, version.key, 'version', 'only version 1 is known');
  }
}

/** `fleet:` settings over the defaults. */
function readSettings(r: ConfigReader, root: YAMLMap): FleetSettings {
  const settings: FleetSettings = { ...DEFAULT_SETTINGS };
  const fleet = r.entry(root, 'fleet');
  if (!fleet) return settings;
  if (!isMap(fleet.value)) {
    r.report(fleet.value, fleet.key, 'fleet', 'expected a mapping');
    return settings;
  }
  r.unknownKeys(fleet.value, SETTING_KEYS, 'fleet');
  for (const k of SETTING_KEYS) {
    const v = r.positiveNumber(fleet.value, k, 'fleet', false);
    if (v !== undefined) settings[k] = v;
  }
  return settings;
}

/** `budgets:` provider → the budget its places draw on unless a place names its own. */
function readProviderBudgets(r: ConfigReader, root: YAMLMap): Map<string, BudgetOptions> {
  const providerBudgets = new Map<string, BudgetOptions>();
  const budgets = r.entry(root, 'budgets');
  if (!budgets) return providerBudgets;
  if (!isMap(budgets.value)) {
    r.report(budgets.value, budgets.key, 'budgets', 'expected a mapping of provider → budget');
    return providerBudgets;
  }
  r.unknownKeys(budgets.value, Object.keys(PROVIDER_KINDS), 'budgets');
  for (const p of budgets.value.items) {
    const k = isScalar(p.key) ? String(p.key.value) : '';
    if (!(k in PROVIDER_KINDS)) continue;
    const b = r.budget(p.value as Node, p.key as Node, joinPath('budgets', k));
    if (b) providerBudgets.set(k, b);
  }
  return providerBudgets;
}
