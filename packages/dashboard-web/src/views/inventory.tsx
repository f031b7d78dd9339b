import { useEffect, useRef, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { type ApiError, getJson, type Inventory, type InventoryItem, inventoryOrder, PHASES } from '../api.js';
import { apiParams, FilterBar, useQueryFilters } from '../filters.js';
import { bus, type ProviderError } from '../live.js';
import { Time } from '../time.js';

const FILTERS = ['provider', 'place', 'name', 'phase', 'since', 'until'];

/** Cards in the first frame: more than any screen holds. The rest follow, `CARDS_PER_TASK` a task. */
const FIRST_CARDS = 120;
const CARDS_PER_TASK = 400;

/**
 * How many of `total` cards to render now: the first screenful at once, the rest in tasks after
 * the first paint (each short enough to keep the page responsive), then all of them from then on.
 */
function useProgressive(total: number): number {
  const [shown, setShown] = useState(FIRST_CARDS);
  useEffect(() => {
    if (shown >= total) return;
    const t = setTimeout(() => setShown((n) => n + CARDS_PER_TASK), 0);
    return () => clearTimeout(t);
  }, [shown, total]);
  return Math.min(shown, total);
}

/** Every followed stack, image and execution with its state: failed and in progress first. */
export function InventoryView() {
  const [q] = useQueryFilters();
  const params = apiParams(q, FILTERS);
  const key = params.toString();
  const [inventory, setInventory] = useState<Inventory | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [places, setPlaces] = useState<string[]>([]);
  const reload = useRef<() => void>(() => {});

  useEffect(() => {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () =>
      getJson<Inventory>('/api/inventory', new URLSearchParams(key), ac.signal)
        .then((inv) => {
          if (ac.signal.aborted) return; // an answer for filters no longer shown
          setInventory(inv);
          setError(undefined);
          setPlaces((old) => [...new Set([...old, ...inv.items.map((i) => i.place).filter(Boolean)])]);
        })
        .catch((err) => {
          if ((err as Error).name !== 'AbortError') setError(err as ApiError);
        });
    // Changes come as stream messages; the list is read again (filtered by the server) at most
    // every half second, while errors show on their card at once.
    reload.current = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        void load();
      }, 500);
    };
    void load();
    const off = bus.on((m) => {
      if (m.type === 'inventory') reload.current();
      if (m.type === 'provider-error' || m.type === 'provider-ok') {
        const e = m.value as ProviderError;
        setInventory(
          (inv) =>
            inv && {
              ...inv,
              items: inv.items.map((i) => (i.key === e.key ? withError(i, m.type === 'provider-error' ? e : null) : i)),
            },
        );
        reload.current();
      }
    });
    return () => {
      off();
      ac.abort();
      if (timer) clearTimeout(timer);
    };
  }, [key]);
  const sorted = inventory ? [...inventory.items].sort(inventoryOrder) : [];
  const shown = useProgressive(sorted.length);

  return (
    <section aria-labelledby="inventory-title">
      <h2 id="inventory-title">Inventory</h2>
      <FilterBar fields={['provider', 'place', 'name', 'phase', 'time']} places={places} />
      {error && (
        <p class="error" role="alert">
          {error.code}: {error.message}
        </p>
      )}
      {inventory && <Counts inventory={inventory} />}
      {inventory && (
        <ul class="cards" data-testid="inventory">
          {sorted.slice(0, shown).map((item) => (
            <Card key={item.key} item={item} />
          ))}
        </ul>
      )}
      {inventory && inventory.items.length === 0 && <p>Nothing matches these filters.</p>}
    </section>
  );
}

function withError(item: InventoryItem, e: ProviderError | null): InventoryItem {
  return { ...item, error: e ? { code: e.code, message: e.message, count: e.count, lastSeen: e.lastSeen } : null };
}

function Counts({ inventory }: { inventory: Inventory }) {
  const { counts } = inventory;
  return (
    <p class="counts" data-testid="counts">
      <span data-testid="count-total">{counts.total}</span> items
      {PHASES.filter((p) => counts.byPhase[p]).map((p) => (
        <span key={p} class={`badge phase-${p}`} data-testid={`count-${p}`} data-count={counts.byPhase[p]}>
          {counts.byPhase[p]} {p.toLowerCase().replace('_', ' ')}
        </span>
      ))}
    </p>
  );
}

function Card({ item }: { item: InventoryItem }) {
  const ref = encodeURIComponent(item.id || item.name);
  const events = `/events?provider=${encodeURIComponent(item.provider)}&stack=${ref}`;
  // A stack has deployments; an image or an execution is shown by its events.
  const href = item.kind === 'stack' ? `/stack/${encodeURIComponent(item.provider)}/${ref}` : events;
  const state = item.error ? 'error' : item.phase;
  return (
    <li
      class={`card card-${state}`}
      data-testid="card"
      data-key={item.key}
      data-provider={item.provider}
      data-phase={item.phase}
      data-kind={item.kind}
    >
      <div class="card-head">
        <Link href={href} class="card-name">
          {item.name || item.id}
        </Link>
        <span class={`badge phase-${item.phase}`}>{item.phase}</span>
      </div>
      <div class="card-meta">
        {item.kind} · {item.provider}
        {item.place ? ` · ${item.place}` : ''}
      </div>
      <div class="card-status">{item.status}</div>
      <div class="card-meta">
        <span data-testid="card-events">{item.eventCount}</span> events · last <Time iso={item.lastEventAt} />
      </div>
      {item.error && (
        <div class="card-error" data-testid="card-error" role="alert">
          <strong>{item.error.code}</strong> {item.error.message}
          <div class="card-meta">
            {item.error.count}× · last seen <Time iso={item.error.lastSeen} />
          </div>
        </div>
      )}
      <div class="card-links">
        {item.kind === 'stack' && <Link href={href}>Deployments</Link>}
        <Link href={events}>Events</Link>
        {item.consoleUrl && (
          <a href={item.consoleUrl} target="_blank" rel="noreferrer noopener" data-testid="console-link">
            Console<span class="sr-only"> for {item.name} (opens a new tab)</span>
          </a>
        )}
      </div>
    </li>
  );
}
