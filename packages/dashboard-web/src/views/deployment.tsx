import { useEffect, useState } from 'preact/hooks';
import { Link, useParams } from 'wouter-preact';
import { type ApiError, type Deployment, type DeploymentResource, getJson, resourceLabel } from '../api.js';
import { formatDuration, Time } from '../time.js';

/** One deployment: its root cause and a timeline with one bar per resource, colored by phase. */
export function DeploymentView() {
  const { provider = '', stack = '', id = '' } = useParams<{ provider: string; stack: string; id: string }>();
  const [d, setD] = useState<Deployment | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    const ac = new AbortController();
    const path = `/api/deployments/${[provider, stack, id].map(encodeURIComponent).join('/')}`;
    getJson<Deployment>(path, undefined, ac.signal)
      .then(setD)
      .catch((err) => {
        if ((err as Error).name !== 'AbortError') setError(err as ApiError);
      });
    return () => ac.abort();
  }, [provider, stack, id]);

  return (
    <section aria-labelledby="deployment-title">
      <h2 id="deployment-title">
        {stack}: {d ? `${d.action} ${d.outcome}` : 'deployment'}
      </h2>
      <p>
        <Link href={`/stack/${encodeURIComponent(provider)}/${encodeURIComponent(stack)}`}>
          ← Deployments of {stack}
        </Link>
      </p>
      {error && (
        <p class="error" role="alert">
          {error.code}: {error.message}
        </p>
      )}
      {d && (
        <>
          <p>
            <Time iso={d.startedAt} /> → <Time iso={d.endedAt} /> · {formatDuration(d.durationSeconds)} · {d.status} ·{' '}
            {d.counts.resources} resources, {d.counts.failed} failed, {d.counts.events} events
          </p>
          {d.rootCause && (
            <p class="card-error" data-testid="deployment-root-cause">
              Root cause: <strong>{resourceLabel(d.rootCause.resource)}</strong>
              {d.rootCause.stack.name ? ` (in ${d.rootCause.stack.name})` : ''} {d.rootCause.reason ?? ''}
            </p>
          )}
          <Gantt d={d} />
        </>
      )}
    </section>
  );
}

const WIDTH = 1000;

/** Bars on a shared time axis; the SVG stretches to the row, so the page never scrolls sideways. */
function Gantt({ d }: { d: Deployment }) {
  const times = d.resources
    .flatMap((r) => [r.startedAt, r.endedAt])
    .filter((t): t is string => !!t)
    .map(Date.parse);
  const start = d.startedAt ? Date.parse(d.startedAt) : Math.min(...times);
  const end = Math.max(d.endedAt ? Date.parse(d.endedAt) : start, ...times, start + 1000);
  const x = (t: number) => ((t - start) / (end - start)) * WIDTH;
  return (
    <table class="gantt" data-testid="timeline">
      <caption class="sr-only">Resources over time, one bar each</caption>
      <thead>
        <tr>
          <th scope="col" class="gantt-label">
            Resource
          </th>
          <th scope="col">
            <Time iso={new Date(start).toISOString()} /> — <Time iso={new Date(end).toISOString()} />
          </th>
          <th scope="col" class="gantt-dur">
            Duration
          </th>
        </tr>
      </thead>
      <tbody>
        {d.resources.map((r) => (
          <tr key={r.key} data-testid="timeline-row" data-phase={r.phase}>
            <th scope="row" class="gantt-label" title={r.type}>
              {r.key}
            </th>
            <td>
              <Bar r={r} x={x} end={end} />
            </td>
            <td class="gantt-dur">{formatDuration(r.durationSeconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Bar({ r, x, end }: { r: DeploymentResource; x: (t: number) => number; end: number }) {
  const s = r.startedAt ? Date.parse(r.startedAt) : undefined;
  const e = r.endedAt ? Date.parse(r.endedAt) : end;
  const left = s === undefined ? 0 : x(s);
  const width = Math.max(4, x(e) - left);
  return (
    <svg
      class="gantt-track"
      viewBox={`0 0 ${WIDTH} 10`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${r.key}: ${r.status}`}
    >
      <rect class={`bar phase-${r.phase}`} data-testid="timeline-bar" x={left} y={1} width={width} height={8} rx={1} />
    </svg>
  );
}
