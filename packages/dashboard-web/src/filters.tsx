import { useLocation, useSearch } from 'wouter-preact';
import { PHASES, PROVIDERS } from './api.js';
import { inputToIso, isoToInput, useTimeMode } from './time.js';

/** The filters of a view, kept in the address's query (a reload or a shared link keeps them). */
export function useQueryFilters(): [URLSearchParams, (name: string, value: string | undefined) => void] {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const q = new URLSearchParams(search);
  const set = (name: string, value: string | undefined) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    const qs = next.toString();
    navigate(qs ? `${location}?${qs}` : location, { replace: true });
  };
  return [q, set];
}

export type FilterField = 'provider' | 'place' | 'name' | 'phase' | 'text' | 'time';

/** One row of filter inputs; each change narrows the view through the API's own filters. */
export function FilterBar({ fields, places = [] }: { fields: FilterField[]; places?: string[] }) {
  const [q, set] = useQueryFilters();
  const mode = useTimeMode();
  const has = (f: FilterField) => fields.includes(f);
  return (
    <form class="filters" aria-label="filters" onSubmit={(e) => e.preventDefault()}>
      {has('provider') && (
        <label>
          Provider
          <select
            data-testid="filter-provider"
            value={q.get('provider') ?? ''}
            onChange={(e) => set('provider', e.currentTarget.value)}
          >
            <option value="">all</option>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      )}
      {has('place') && (
        <label>
          Place
          <select
            data-testid="filter-place"
            value={q.get('place') ?? ''}
            onChange={(e) => set('place', e.currentTarget.value)}
          >
            <option value="">all</option>
            {[...new Set([...places, q.get('place') ?? ''])]
              .filter((p) => p !== '')
              .sort()
              .map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
          </select>
        </label>
      )}
      {has('name') && (
        <label>
          Name
          <input
            type="search"
            data-testid="filter-name"
            placeholder="name or id"
            value={q.get('name') ?? ''}
            onInput={(e) => set('name', e.currentTarget.value)}
          />
        </label>
      )}
      {has('phase') && (
        <label>
          Phase
          <select
            data-testid="filter-phase"
            value={q.get('phase') ?? ''}
            onChange={(e) => set('phase', e.currentTarget.value)}
          >
            <option value="">all</option>
            {PHASES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      )}
      {has('text') && (
        <label>
          Search messages
          <input
            type="search"
            data-testid="filter-text"
            placeholder="message, status, resource"
            value={q.get('text') ?? ''}
            onInput={(e) => set('text', e.currentTarget.value)}
          />
        </label>
      )}
      {has('time') && (
        <>
          <label>
            From ({mode === 'utc' ? 'UTC' : 'local'})
            <input
              type="datetime-local"
              data-testid="filter-since"
              value={isoToInput(q.get('since') ?? undefined, mode)}
              onChange={(e) => set('since', inputToIso(e.currentTarget.value, mode))}
            />
          </label>
          <label>
            To
            <input
              type="datetime-local"
              data-testid="filter-until"
              value={isoToInput(q.get('until') ?? undefined, mode)}
              onChange={(e) => set('until', inputToIso(e.currentTarget.value, mode))}
            />
          </label>
        </>
      )}
    </form>
  );
}

/** The API query of the filters a view uses (empty ones left out). */
export function apiParams(q: URLSearchParams, names: string[]): URLSearchParams {
  const out = new URLSearchParams();
  for (const n of names) {
    const v = q.get(n);
    if (v) out.set(n, v);
  }
  return out;
}
