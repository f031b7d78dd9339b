import { EventEmitter } from 'node:events';
import type { ProviderId } from '@stackfeed/core';

/** What an inventory item is. */
export type ItemKind = 'stack' | 'image' | 'execution';

/** The error state of a followed target: the last failure and how often it repeated. */
export interface TargetError {
  /** The StackfeedError code (THROTTLED, UNAUTHORIZED, NETWORK, …), else `ERROR`. */
  code: string;
  /** One line, without credentials (the SDK's errors are redacted). */
  message: string;
  /** Failures in a row since the target last worked. */
  count: number;
  lastSeen: Date;
}

/** A target someone follows into the store: what the store alone does not know about it. */
export interface KnownTarget {
  provider: ProviderId;
  kind: ItemKind;
  /** The stack, image or execution id, and/or its name: matched against the store's records. */
  id?: string | undefined;
  name?: string | undefined;
  /** Account, region or project label (`demo`, `us-east-1`, `prod/eu-west-1`); may be empty. */
  place: string;
  /** A link to the provider's console for it. */
  consoleUrl?: string | undefined;
  error?: TargetError | undefined;
}

/** What a board tells its listeners. */
export interface BoardChange {
  type: 'error' | 'ok' | 'target';
  target: KnownTarget;
}

/**
 * The targets the process follows, with their error state, as the follow loops report it: the
 * dashboard shows each one's place, console link and last failure (code, message, count, last seen).
 */
export class TargetBoard {
  private readonly byKey = new Map<string, KnownTarget>();
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Add (or update) a target; returns its board key. */
  add(target: KnownTarget): string {
    const key = boardKey(target);
    const prev = this.byKey.get(key);
    const next: KnownTarget = { ...prev, ...target };
    if (prev?.error && !target.error) next.error = prev.error;
    this.byKey.set(key, next);
    this.emitter.emit('change', { type: 'target', target: next } satisfies BoardChange);
    return key;
  }

  /** A follow of this target failed (again): its error count grows. */
  fail(key: string, err: unknown, now: Date = new Date()): void {
    const t = this.byKey.get(key);
    if (!t) return;
    const e = err as { code?: unknown; message?: unknown } | undefined;
    const code = typeof e?.code === 'string' && /^[A-Z_]{2,40}$/.test(e.code) ? e.code : 'ERROR';
    const message = oneLine(typeof e?.message === 'string' ? e.message : String(err));
    t.error = { code, message, count: (t.error?.count ?? 0) + 1, lastSeen: now };
    this.emitter.emit('change', { type: 'error', target: t } satisfies BoardChange);
  }

  /** The target works (again): its error state clears. */
  ok(key: string): void {
    const t = this.byKey.get(key);
    if (!t?.error) return;
    delete t.error;
    this.emitter.emit('change', { type: 'ok', target: t } satisfies BoardChange);
  }

  list(): KnownTarget[] {
    return [...this.byKey.values()];
  }

  /** Listen to changes; returns the function that stops listening. */
  onChange(listener: (change: BoardChange) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}

/** A board key: provider, kind and id or name. */
export function boardKey(t: Pick<KnownTarget, 'provider' | 'kind' | 'id' | 'name'>): string {
  return `${t.provider}\u0000${t.kind}\u0000${t.id ?? t.name ?? ''}`;
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
