import { PHASES, type Phase, resolveSince } from '@stackfeed/core';
import { UsageError } from './errors.js';

/** Output formats of every listing command. */
export const OUTPUTS = ['table', 'json', 'ndjson'] as const;
export type Output = (typeof OUTPUTS)[number];

export function parseOutput(v: string | undefined, command: string): Output {
  const o = (v ?? 'table').toLowerCase();
  if (!(OUTPUTS as readonly string[]).includes(o)) {
    throw new UsageError(`--output must be one of ${OUTPUTS.join(', ')}, not "${v}"`, command);
  }
  return o as Output;
}

/** `--phase FAILED` or `--phase failed,in_progress` (repeatable). */
export function parsePhases(values: readonly string[] | undefined, command: string): Phase[] | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Phase[] = [];
  for (const v of values.flatMap((s) => s.split(','))) {
    const p = v.trim().toUpperCase().replace(/-/g, '_');
    if (!p) continue;
    if (!(PHASES as readonly string[]).includes(p)) {
      throw new UsageError(`--phase: "${v}" is not one of ${PHASES.join(', ')}`, command);
    }
    if (!out.includes(p as Phase)) out.push(p as Phase);
  }
  return out.length ? out : undefined;
}

/** `--since 10m`, `--since 2026-11-23T10:00:00Z`. */
export function parseSince(v: string | undefined, command: string, now = Date.now()): Date | undefined {
  if (v === undefined) return undefined;
  try {
    return resolveSince(v, now);
  } catch (err) {
    throw new UsageError(`--since: ${(err as Error).message}`, command);
  }
}

/** A positive integer (`--limit`). */
export function parseCount(v: string | undefined, name: string, command: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) {
    throw new UsageError(`${name} must be a whole number of at least 1, not "${v}"`, command);
  }
  return Number(v);
}

/** `500ms`, `5s`, `2m`, `1h`; a bare number is seconds. */
export function parseDuration(v: string | undefined, name: string, command: string): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new UsageError(`${name} must be a duration like 500ms, 5s, 2m or 1h, not "${v}"`, command);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Number(m[1]) * unit;
  if (ms <= 0) throw new UsageError(`${name} must be more than 0`, command);
  return ms;
}

/** A number above 0 (`--speed`). */
export function parsePositive(v: string | undefined, name: string, command: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a number above 0, not "${v}"`, command);
  return n;
}

/**
 * `--endpoint URL` (for the command's one provider) or `--endpoint PROVIDER=URL` (repeatable, for
 * `watch`). Returns the URL for a provider, given its id and aliases.
 */
export function endpointFor(
  values: readonly string[] | undefined,
  provider: { id: string; aliases: readonly string[] },
  single: boolean,
  command: string,
): string | undefined {
  let found: string | undefined;
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    const scheme = v.indexOf('://');
    const named = eq > 0 && (scheme < 0 || eq < scheme);
    const name = named ? v.slice(0, eq).toLowerCase() : undefined;
    const url = named ? v.slice(eq + 1) : v;
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('not http(s)');
    } catch {
      throw new UsageError(`--endpoint: "${url}" is not an http(s) URL`, command);
    }
    if (name === undefined) {
      if (!single)
        throw new UsageError('--endpoint: name the provider (--endpoint heat=URL) when watching several', command);
      found = url;
    } else if (name === provider.id || provider.aliases.includes(name)) found = url;
  }
  return found;
}
