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
  const has = (f: FilterField) => fields.includes(f);
  const filter = { q, set };
  return (
    <form class="filters" aria-label="filters" onSubmit={(e) => e.preventDefault()}>
      {has('provider') && <SelectFilter {...filter} label="Provider" name="provider" options={PROVIDERS} />}
      {has('place') && <SelectFilter {...filter} label="Place" name="place" options={placeOptions(places, q)} />}
      {has('name') && <SearchFilter {...filter} label="Name" name="name" placeholder="name or id" />}
      {has('phase') && <SelectFilter {...filter} label="Phase" name="phase" options={PHASES} />}
      {has('text') && (
        <SearchFilter {...filter} label="Search messages" name="text" placeholder="message, status, resource" />
      )}
      {has('time') && <TimeRangeFilter {...filter} />}
    </form>
  );
}

/** What every filter input reads and writes: the address's query. */
interface FilterProps {
  q: URLSearchParams;
  set: (name: string, value: string | undefined) => void;
}

/** The places known, and the one in the address even when none of them has it (yet). */
function placeOptions(places: readonly string[], q: URLSearchParams): string[] {
  return [...new Set([...places, q.get('place') ?? ''])].filter((p) => p !== '').sort();
}

/** A choice of one value of `name`, or all (empty). */
function SelectFilter({
  q,
  set,
  label,
  name,
  options,
}: FilterProps & { label: string; name: string; options: readonly string[] }) {
  return (
    <label>
      {label}
      <select
        data-testid={`filter-${name}`}
        value={q.get(name) ?? ''}
        onChange={(e) => set(name, e.currentTarget.value)}
      >
        <option value="">all</option>
        {options.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Free text for `name`, applied as it is typed. */
function SearchFilter({
  q,
  set,
  label,
  name,
  placeholder,
}: FilterProps & { label: string; name: string; placeholder: string }) {
  return (
    <label>
      {label}
      <input
        type="search"
        data-testid={`filter-${name}`}
        placeholder={placeholder}
        value={q.get(name) ?? ''}
        onInput={(e) => set(name, e.currentTarget.value)}
      />
    </label>
  );
}

/** From / To (`since`, `until`), in the time zone the page shows. */
function TimeRangeFilter({ q, set }: FilterProps) {
  const mode = useTimeMode();
  return (
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
