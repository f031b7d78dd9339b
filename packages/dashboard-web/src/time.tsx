import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** How times are shown: UTC (the API's) or the browser's time zone. */
export type TimeMode = 'utc' | 'local';

export const TimeContext = createContext<TimeMode>('utc');
export const useTimeMode = () => useContext(TimeContext);

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2026-12-03 09:00:00Z` in UTC, `2026-12-03 10:00:00+01:00` in local time. */
export function formatTime(iso: string | null | undefined, mode: TimeMode): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (mode === 'utc') return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

/** A duration for people: `42 s`, `3 min 5 s`, `2 h 4 min`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The value of a datetime-local input (read in the shown time zone) as an ISO instant. */
export function inputToIso(value: string, mode: TimeMode): string | undefined {
  if (!value) return undefined;
  const d = new Date(mode === 'utc' ? `${value}Z` : value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** An ISO instant as a datetime-local input value in the shown time zone. */
export function isoToInput(iso: string | undefined, mode: TimeMode): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (mode === 'utc') return d.toISOString().slice(0, 16);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `<time>` element in the chosen mode (the machine-readable value is always UTC). */
export function Time({ iso }: { iso: string | null | undefined }) {
  const mode = useTimeMode();
  if (!iso) return <span>—</span>;
  return <time dateTime={iso}>{formatTime(iso, mode)}</time>;
}
