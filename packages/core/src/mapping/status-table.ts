import type { Action, Phase } from '../models/enums.js';

/**
 * Status mapping is data: each adapter declares a table from its literal status strings to the
 * normalized values, and these helpers apply it. A literal missing from the table maps to the
 * fallback (`UNKNOWN`), never to an exception; the caller keeps the literal in `status`.
 */

/** A frozen lookup from provider literals to normalized values, with a fallback for the rest. */
export interface StatusTable<V> {
  readonly entries: Readonly<Record<string, V>>;
  readonly fallback: V;
  /** Map one literal (case-sensitive, as the provider spells it). */
  map(literal: string | null | undefined): V;
  /** True when the literal is in the table. */
  has(literal: string | null | undefined): boolean;
}

export function statusTable<V>(entries: Record<string, V>, fallback: V): StatusTable<V> {
  const frozen = Object.freeze({ ...entries });
  return Object.freeze({
    entries: frozen,
    fallback,
    map(literal: string | null | undefined): V {
      if (literal == null) return fallback;
      return Object.hasOwn(frozen, literal) ? (frozen[literal] as V) : fallback;
    },
    has(literal: string | null | undefined): boolean {
      return literal != null && Object.hasOwn(frozen, literal);
    },
  });
}

export interface ActionPhase {
  action: Action;
  phase: Phase;
}

/** Distinct literals one splitter remembers: a provider has a few dozen; a server inventing more is split each time. */
const SPLIT_CACHE_MAX = 256;

/**
 * For providers whose statuses are `<ACTION>_<PHASE>` (Heat `CREATE_IN_PROGRESS`, CloudFormation
 * `UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS`): split on the longest known phase suffix and map
 * the prefix through the action table. Unknown prefixes or suffixes give `UNKNOWN` for that half.
 * The result is frozen and shared by every call with the same literal: a listing splits the same
 * few literals once per event, and each split built strings and an object that were garbage at once.
 */
export function actionPhaseSplitter(opts: {
  actions: Record<string, Action>;
  phases: Record<string, Phase>;
}): (literal: string | null | undefined) => ActionPhase {
  const actions = statusTable<Action>(opts.actions, 'UNKNOWN');
  // Longest suffix first, so `COMPLETE_CLEANUP_IN_PROGRESS` wins over `IN_PROGRESS`.
  const suffixes = Object.keys(opts.phases).sort((a, b) => b.length - a.length);
  const split = (literal: string): ActionPhase => {
    for (const suffix of suffixes) {
      if (literal === suffix) return { action: 'UNKNOWN', phase: opts.phases[suffix] as Phase };
      if (literal.endsWith(`_${suffix}`)) {
        const prefix = literal.slice(0, -(suffix.length + 1));
        return { action: actions.map(prefix), phase: opts.phases[suffix] as Phase };
      }
    }
    return { action: actions.map(literal), phase: 'UNKNOWN' };
  };
  const unknown: ActionPhase = Object.freeze({ action: 'UNKNOWN', phase: 'UNKNOWN' });
  const cache = new Map<string, ActionPhase>();
  return (literal) => {
    if (!literal) return unknown;
    let out = cache.get(literal);
    if (out === undefined) {
      out = Object.freeze(split(literal));
      if (cache.size < SPLIT_CACHE_MAX) cache.set(literal, out);
    }
    return out;
  };
}
