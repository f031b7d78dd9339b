// No dependencies: run() sets the zone before it knows which command runs (cold start).

/**
 * The zone tables show times in: UTC (default), or a named zone (`--local-time`: the `TZ` variable,
 * else the system's zone). Set once per command by `run()`; JSON/NDJSON stay ISO 8601 UTC.
 */
let displayZone: string | undefined;

/** Show table times in `zone` (an IANA name), or in UTC when undefined. */
export function setDisplayZone(zone: string | undefined): void {
  displayZone = zone;
  zoneFormat = zone
    ? new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
    : undefined;
}
let zoneFormat: Intl.DateTimeFormat | undefined;

/** `(UTC)`, or the zone's name: the suffix of every time column's header. */
export const zoneLabel = (): string => `(${displayZone ?? 'UTC'})`;

/** `2026-11-23 19:31:32`, in UTC unless a display zone was set: the time column of every table. */
export function formatTime(d: Date | undefined): string {
  if (!d || Number.isNaN(d.getTime())) return '';
  if (!zoneFormat) return d.toISOString().slice(0, 19).replace('T', ' ');
  const p = Object.fromEntries(zoneFormat.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** The zone `--local-time` shows: `TZ` when it names a zone this runtime knows, else the system's. */
export function localZone(env: Record<string, string | undefined>): string {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return tz; // as the user wrote it (ICU may canonicalize Asia/Kolkata to Asia/Calcutta)
    } catch {
      // an unknown TZ falls back to the system zone, as date(1) would show
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
