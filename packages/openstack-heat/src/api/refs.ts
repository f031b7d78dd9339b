import { type StackRef, StackfeedError } from '@stackfeed/core';
import { encodePathSegment } from '@stackfeed/core/adapter';
import type { CanonicalStack } from '../mapping/event.js';

const PROVIDER = 'openstack-heat' as const;

/**
 * A Heat stack: a name or an id as a string, or core's `StackRef` with its name, its id, or both
 * (both saves Heat's lookup redirect). `discover()` targets carry both.
 */
export type HeatStackRef = string | HeatStackRefObject;

/** Core's `StackRef`, plus the names older releases used. */
export interface HeatStackRefObject extends StackRef {
  /** @deprecated Use `name`. */
  stackName?: string | undefined;
  /** @deprecated Use `id`. */
  stackId?: string | undefined;
}

/**
 * Encode a path segment so a stack, resource or event name is data, never path. `%`, spaces, `?`
 * and `#` are percent-encoded; `.` and `..` are refused; and `/` is refused outright: Heat's WSGI
 * server decodes `%2F` before routing (checked against a real Heat 19), so an encoded slash would
 * still address another URL. Heat itself forbids `/` in stack and resource names. Throws CONFIG.
 */
export function pathSegment(value: string): string {
  try {
    if (value.includes('/')) throw new TypeError(`Heat names cannot contain "/" (${JSON.stringify(value)})`);
    return encodePathSegment(value);
  } catch (e) {
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: (e as Error).message, cause: e });
  }
}

/** Name and id, when the ref has both. */
export function canonicalOf(ref: HeatStackRef): CanonicalStack | undefined {
  if (typeof ref === 'string') return undefined;
  const name = ref.name ?? ref.stackName;
  const id = ref.id ?? ref.stackId;
  return name && id ? { name, id } : undefined;
}

/** The one string to look a stack up by (a name or an id); throws CONFIG for a ref with neither. */
export function lookupKeyOf(ref: HeatStackRef): string {
  const s = typeof ref === 'string' ? ref : (ref.name ?? ref.stackName ?? ref.id ?? ref.stackId);
  if (!s)
    throw new StackfeedError({ code: 'CONFIG', provider: PROVIDER, message: 'a stack ref needs a name or an id' });
  return s;
}

/** Throws CONFIG, before any request, for a ref with neither a name nor an id. */
export function assertStackRef(ref: HeatStackRef): void {
  lookupKeyOf(ref);
}

/** Throws CONFIG, before any request, for a name that cannot be a Heat path segment (see {@link pathSegment}). */
export function assertPathSegment(value: string): void {
  pathSegment(value);
}

/** `…/stacks/{name}/{id}/…` → name and id; whatever comes before `/stacks/` (origin, prefix, tenant) is ignored. */
export function canonicalFromPath(pathname: string): CanonicalStack | undefined {
  const segs = pathname.split('/');
  const at = segs.indexOf('stacks', 1);
  if (at < 0) return undefined;
  const name = segs[at + 1];
  const id = segs[at + 2];
  if (!name || !id || id === 'events' || id === 'resources') return undefined;
  try {
    return { name: decodeURIComponent(name), id: decodeURIComponent(id) };
  } catch {
    return undefined;
  }
}

/** After Heat's 302: `{base}/stacks/{name}/{id}/…` → name and id. */
export function canonicalFromUrl(url: string, base: string): CanonicalStack | undefined {
  try {
    const u = new URL(url);
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    if (!u.pathname.startsWith(`${basePath}/stacks/`)) return undefined;
    return canonicalFromPath(u.pathname.slice(basePath.length));
  } catch {
    return undefined;
  }
}

/** The `marker` of a `next` link. */
export function markerOf(href: string): string | undefined {
  try {
    return new URL(href).searchParams.getAll('marker').pop() ?? undefined;
  } catch {
    return undefined;
  }
}

/** A page marker as stackfeed puts it in a token: a Heat id (uuid), never a path or a query. */
export function isMarker(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 255 && !/[/?#\s%]/.test(v);
}
