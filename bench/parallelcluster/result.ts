import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeResult } from '../lib.js';

/** bench/results/parallelcluster.json: each benchmark writes its own key. */
export const RESULT_FILE = fileURLToPath(new URL('../results/parallelcluster.json', import.meta.url));

export function mergeResult(key: string, value: unknown): void {
  const current = existsSync(RESULT_FILE)
    ? (JSON.parse(readFileSync(RESULT_FILE, 'utf8')) as Record<string, unknown>)
    : {};
  current[key] = value;
  current.updatedAt = new Date().toISOString();
  writeResult(RESULT_FILE, current);
}
