import { useEffect, useState } from 'preact/hooks';
import { Link, useParams } from 'wouter-preact';
import { type ApiError, type Deployment, getJson, resourceLabel } from '../api.js';
import { formatDuration, Time } from '../time.js';
import { EventTable } from './event-table.js';

/** A stack's deployments (outcome, duration, root cause) and its events. */
export function StackView() {
  const { provider = '', stack = '' } = useParams<{ provider: string; stack: string }>();
  const [items, setItems] = useState<Deployment[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    const ac = new AbortController();
    getJson<{ items: Deployment[] }>('/api/deployments', new URLSearchParams({ provider, stack }), ac.signal)
      .then((r) => setItems(r.items))
      .catch((err) => {
        if ((err as Error).name !== 'AbortError') setError(err as ApiError);
      });
    return () => ac.abort();
  }, [provider, stack]);

  return (
    <section aria-labelledby="stack-title">
      <h2 id="stack-title">
        {stack} <span class="sub">{provider}</span>
      </h2>
      <p>
        <Link href="/">← Inventory</Link>
      </p>
      <h3>Deployments</h3>
      {error && (
        <p class="error" role="alert">
          {error.code}: {error.message}
        </p>
      )}
      {items && items.length === 0 && <p>No deployment in the stored events.</p>}
      {items && items.length > 0 && (
        <table class="deployments" data-testid="deployments">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Duration</th>
              <th scope="col">Root cause</th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-testid="deployment-row" data-outcome={d.outcome}>
                <td>
                  <Link
                    href={`/deployment/${encodeURIComponent(provider)}/${encodeURIComponent(stack)}/${encodeURIComponent(d.id)}`}
                  >
                    <Time iso={d.startedAt} />
                  </Link>
                </td>
                <td>{d.action}</td>
                <td>
                  <span class={`badge outcome-${d.outcome}`}>{d.outcome}</span>
                  <div class="sub">{d.status}</div>
                </td>
                <td>{formatDuration(d.durationSeconds)}</td>
                <td data-testid="root-cause">
                  {d.rootCause ? (
                    <>
                      <strong>{resourceLabel(d.rootCause.resource)}</strong> {d.rootCause.reason ?? ''}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Events</h3>
      <EventTable params={new URLSearchParams({ provider, stack })} />
    </section>
  );
}
