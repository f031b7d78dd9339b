import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { BudgetOptions } from './budget.js';
import type { ConfigIssue } from './config-model.js';

/** A key of a YAML mapping with its value, both as nodes (for their positions). */
export interface Entry {
  key: Node;
  value: Node | null;
}

/**
 * Reads the values of a parsed config and collects every problem with its file, line:col and key
 * path, so that one pass reports all of them instead of stopping at the first.
 */
export class ConfigReader {
  readonly issues: ConfigIssue[] = [];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  /** Record a problem at `node`, or at `fallback` when the node is missing (e.g. an absent value). */
  report(node: Node | null | undefined, fallback: Node | null | undefined, path: string, message: string): void {
    const p = this.lines.linePos((node ?? fallback)?.range?.[0] ?? 0);
    this.issues.push({ file: this.file, line: p.line, col: p.col, path, message });
  }

  entry(map: YAMLMap, key: string): Entry | undefined {
    const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair ? { key: pair.key as Node, value: pair.value as Node | null } : undefined;
  }

  unknownKeys(map: YAMLMap, allowed: readonly string[], path: string): void {
    for (const p of map.items) {
      const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
      if (!allowed.includes(k)) {
        this.report(p.key as Node, map, joinPath(path, k), `unknown key (expected one of: ${allowed.join(', ')})`);
      }
    }
  }

  /** `map[key]` when it is a positive number (a whole one if `integer`); undefined when absent or wrong. */
  positiveNumber(map: YAMLMap, key: string, path: string, integer: boolean): number | undefined {
    const e = this.entry(map, key);
    if (!e) return undefined;
    const v = isScalar(e.value) ? e.value.value : undefined;
    if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) {
      this.report(e.value, e.key, joinPath(path, key), `expected a positive ${integer ? 'integer' : 'number'}`);
      return undefined;
    }
    return v;
  }

  /** `map[key]` as a non-empty list of distinct names: the good names, even when some items are wrong. */
  nameList(map: YAMLMap, key: string, path: string): string[] | undefined {
    const e = this.entry(map, key);
    if (!e) return undefined;
    const v = e.value;
    if (!isSeq(v) || v.items.length === 0) {
      this.report(v, e.key, joinPath(path, key), 'expected a non-empty list of names');
      return undefined;
    }
    const out: string[] = [];
    v.items.forEach((item, i) => {
      const s = isScalar(item) ? item.value : undefined;
      const itemPath = `${joinPath(path, key)}[${i}]`;
      if (typeof s !== 'string' || s.trim() === '') this.report(item as Node, v, itemPath, 'expected a name');
      else if (out.includes(s)) this.report(item as Node, v, itemPath, `${s} is listed twice`);
      else out.push(s);
    });
    return out;
  }

  /** A `{ limit, intervalMs, slowdownMs, transitMs }` mapping; undefined unless it has a good limit. */
  budget(node: Node | null | undefined, keyNode: Node, path: string): BudgetOptions | undefined {
    if (!isMap(node)) {
      this.report(node, keyNode, path, 'expected a mapping { limit, intervalMs, slowdownMs, transitMs }');
      return undefined;
    }
    this.unknownKeys(node, ['limit', 'intervalMs', 'slowdownMs', 'transitMs'], path);
    const limit = this.positiveNumber(node, 'limit', path, true);
    if (!this.entry(node, 'limit')) this.report(node, keyNode, joinPath(path, 'limit'), 'required');
    const intervalMs = this.positiveNumber(node, 'intervalMs', path, false);
    const slowdownMs = this.positiveNumber(node, 'slowdownMs', path, false);
    const transitMs = this.positiveNumber(node, 'transitMs', path, false);
    if (limit === undefined) return undefined;
    return {
      limit,
      ...(intervalMs ? { intervalMs } : {}),
      ...(slowdownMs ? { slowdownMs } : {}),
      ...(transitMs ? { transitMs } : {}),
    };
  }
}

/** The key path of `key` inside `path` (`places[0]` + `kinds` → `places[0].kinds`). */
export function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
