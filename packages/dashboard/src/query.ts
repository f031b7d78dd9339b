import { PHASES, type Phase, type ProviderId } from '@stackfeed/core';
import { badRequest } from './http.js';

// Readers of query parameters: each throws a BAD_REQUEST naming the parameter when it is wrong.

export function required(v: string | null, name: string): string {
  if (v === null || v === '') throw badRequest(`${name} is required`);
  return v;
}

export function date(v: string | null, name: string): Date | undefined {
  if (v === null || v === '') return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw badRequest(`${name}: ${JSON.stringify(v)} is not an ISO-8601 time`);
  return d;
}

export function integer(v: string | null, name: string, min: number, max: number): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** `phase=` values (repeated or comma-separated). */
export function phases(list: string[]): Phase[] | undefined {
  const all = list.flatMap((p) => p.split(',')).filter((p) => p !== '');
  for (const p of all) {
    if (!(PHASES as readonly string[]).includes(p))
      throw badRequest(`phase: ${JSON.stringify(p)} is not one of ${PHASES.join(', ')}`);
  }
  return all.length ? (all as Phase[]) : undefined;
}

/** `kind=` values (repeated or comma-separated). */
export function kinds(list: string[]): string[] | undefined {
  const all = list.flatMap((p) => p.split(',')).filter((p) => p !== '');
  for (const k of all)
    if (!['stack', 'image', 'execution'].includes(k))
      throw badRequest(`kind: ${JSON.stringify(k)} is not stack, image or execution`);
  return all.length ? all : undefined;
}

/** The filters `/api/events` and `/api/stream` share. */
export function eventFilter(q: URLSearchParams) {
  return {
    provider: (q.get('provider') || undefined) as ProviderId | undefined,
    stack: q.get('stack') || undefined,
    phase: phases(q.getAll('phase')),
    text: q.get('text') || undefined,
  };
}
