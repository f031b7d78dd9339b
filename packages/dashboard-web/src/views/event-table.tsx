import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, getJson, resourceLabel, type StoredEvent, stackName } from '../api.js';
import { openStream } from '../live.js';
import { Time } from '../time.js';

interface Page {
  items: StoredEvent[];
  nextPageToken: string | null;
}

const PAGE = 100;
const bySeqDesc = (a: StoredEvent, b: StoredEvent) =>
  BigInt(b.seq) > BigInt(a.seq) ? 1 : BigInt(b.seq) < BigInt(a.seq) ? -1 : 0;

/**
 * The stored events that match `params` (the API's filters), newest first, then the live ones as
 * the store commits them: the stream resumes after the newest sequence number of the first page,
 * so a reload shows every event once. Follow adds live events as they come; Pause holds them
 * (counted) until Follow again. A row's Details shows the raw record.
 */
export function EventTable({ params }: { params: URLSearchParams }) {
  const feed = useEventFeed(params.toString());
  const [selected, setSelected] = useState<StoredEvent | undefined>();
  return (
    <div class="events">
      <EventsBar feed={feed} />
      {feed.error && (
        <p class="error" role="alert">
          {feed.error.code}: {feed.error.message}
        </p>
      )}
      <table class="event-table" data-testid="event-table">
        <caption class="sr-only">Stack events, newest first</caption>
        <EventTableHead />
        <tbody>
          {feed.rows.map((e) => (
            <EventRow key={e.seq} event={e} onDetails={() => setSelected(e)} />
          ))}
        </tbody>
      </table>
      {feed.next && (
        <button type="button" onClick={feed.older} data-testid="older">
          Older events
        </button>
      )}
      {selected && <Details event={selected} onClose={() => setSelected(undefined)} />}
    </div>
  );
}

/** The rows of an event table and what its bar controls. */
interface EventFeed {
  rows: StoredEvent[];
  /** The page token of the older stored events, while there are more. */
  next: string | null;
  error: ApiError | undefined;
  loaded: boolean;
  follow: boolean;
  /** Live events received while paused. */
  held: StoredEvent[];
  pause(): void;
  /** Follow again: the held events join the rows, in order. */
  resume(): void;
  /** Load the next page of older stored events. */
  older(): Promise<void>;
}

/** The events of the query `key`: its first stored page, then live (unless it ends in the past). */
function useEventFeed(key: string): EventFeed {
  const [rows, setRows] = useState<StoredEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [loaded, setLoaded] = useState(false);
  const [follow, setFollow] = useState(true);
  const [held, setHeld] = useState<StoredEvent[]>([]);
  const followRef = useRef(follow);
  followRef.current = follow;

  useEffect(() => {
    setLoaded(false);
    setRows([]);
    setHeld([]);
    return loadThenFollow(key, {
      onPage: (page) => {
        setRows(page.items);
        setNext(page.nextPageToken);
        setLoaded(true);
        setError(undefined);
      },
      onLive: (e) => {
        if (followRef.current) setRows((r) => [e, ...r]);
        else setHeld((h) => [...h, e]);
      },
      onError: setError,
    });
  }, [key]);

  const resume = () => {
    setRows((r) => [...held, ...r].sort(bySeqDesc));
    setHeld([]);
    setFollow(true);
  };
  const older = async () => {
    if (!next) return;
    try {
      const page = await getJson<Page>('/api/events', pageQuery(key, next));
      setRows((r) => [...r, ...page.items]);
      setNext(page.nextPageToken);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return { rows, next, error, loaded, follow, held, pause: () => setFollow(false), resume, older };
}

function pageQuery(key: string, pageToken?: string): URLSearchParams {
  const q = new URLSearchParams(key);
  q.set('limit', String(PAGE));
  if (pageToken) q.set('pageToken', pageToken);
  return q;
}

/**
 * The first stored page of the query `key`, then its live events not already shown (nor older than
 * its `since`). Returns what stops both.
 */
function loadThenFollow(
  key: string,
  on: { onPage(page: Page): void; onLive(e: StoredEvent): void; onError(err: ApiError): void },
): () => void {
  const ac = new AbortController();
  const seen = new Set<string>();
  let close: (() => void) | undefined;
  const q = pageQuery(key);
  getJson<Page>('/api/events', q, ac.signal)
    .then((page) => {
      if (ac.signal.aborted) return;
      for (const e of page.items) seen.add(e.seq);
      on.onPage(page);
      // A time range that ends in the past has nothing live to add.
      if (q.get('until')) return;
      const since = q.get('since');
      const stream = new URLSearchParams(key);
      stream.delete('since');
      close = openStream(stream, page.items[0]?.seq ?? '0', {
        onEvent: (e) => {
          if (seen.has(e.seq) || (since && e.timestamp < since)) return;
          seen.add(e.seq);
          on.onLive(e);
        },
      });
    })
    .catch((err) => {
      if ((err as Error).name !== 'AbortError') on.onError(err as ApiError);
    });
  return () => {
    ac.abort();
    close?.();
  };
}

/** How many events are shown, and the Follow / Pause toggle. */
function EventsBar({ feed }: { feed: EventFeed }) {
  const { loaded, rows, next, follow, held } = feed;
  return (
    <div class="events-bar">
      <span data-testid="event-count" role="status">
        {loaded ? `${rows.length} events${next ? ' (more stored)' : ''}` : 'loading…'}
      </span>
      {follow ? (
        <button type="button" data-testid="follow-toggle" aria-pressed="true" onClick={feed.pause}>
          Following live · Pause
        </button>
      ) : (
        <button type="button" data-testid="follow-toggle" aria-pressed="false" onClick={feed.resume}>
          Paused{held.length ? ` · ${held.length} new` : ''} · Follow
        </button>
      )}
    </div>
  );
}

function EventTableHead() {
  return (
    <thead>
      <tr>
        <th scope="col" class="c-time">
          Time
        </th>
        <th scope="col" class="c-stack">
          Stack
        </th>
        <th scope="col" class="c-res">
          Resource
        </th>
        <th scope="col" class="c-status">
          Status
        </th>
        <th scope="col" class="c-msg">
          Message
        </th>
        <th scope="col" class="c-raw">
          <span class="sr-only">Details</span>
        </th>
      </tr>
    </thead>
  );
}

function EventRow({ event: e, onDetails }: { event: StoredEvent; onDetails: () => void }) {
  return (
    <tr data-testid="event-row" data-seq={e.seq} data-phase={e.phase} data-provider={e.provider}>
      <td class="c-time">
        <Time iso={e.timestamp} />
      </td>
      <td class="c-stack">
        {stackName(e.stack)}
        <div class="sub">{e.provider}</div>
      </td>
      <td class="c-res">{e.isStackEvent ? '(stack)' : resourceLabel(e.resource)}</td>
      <td class="c-status">
        <span class={`badge phase-${e.phase}`}>{e.status}</span>
      </td>
      <td class="c-msg">{e.message ?? ''}</td>
      <td class="c-raw">
        <button type="button" class="link" data-testid="event-details" onClick={onDetails}>
          Details<span class="sr-only"> of event {e.seq}</span>
        </button>
      </td>
    </tr>
  );
}

function Details({ event, onClose }: { event: StoredEvent; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, [event]);
  return (
    <dialog ref={ref} class="details" data-testid="event-detail" aria-labelledby="detail-title" onClose={onClose}>
      <h3 id="detail-title">
        Event {event.seq}: {resourceLabel(event.resource)} {event.status}
      </h3>
      <dl>
        <dt>Time</dt>
        <dd>
          <Time iso={event.timestamp} />
        </dd>
        <dt>Stack</dt>
        <dd>
          {event.provider} · {stackName(event.stack)}
        </dd>
        <dt>Action / phase</dt>
        <dd>
          {event.action} · {event.phase}
        </dd>
      </dl>
      <h4>Raw record</h4>
      <pre data-testid="event-raw">{JSON.stringify(event.raw ?? null, null, 2)}</pre>
      <button type="button" onClick={() => ref.current?.close()}>
        Close
      </button>
    </dialog>
  );
}
