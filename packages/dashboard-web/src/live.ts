import type { InventoryItem, ItemError, StoredEvent } from './api.js';

/** The state of a stream: `reconnecting` only when the connection itself is lost. */
export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface ProviderError extends ItemError {
  key: string;
}

export interface StreamHandlers {
  onEvent?(event: StoredEvent): void;
  onInventory?(item: InventoryItem): void;
  onProviderError?(error: ProviderError): void;
  onProviderOk?(ok: { key: string }): void;
  onConnection?(state: Connection): void;
}

/**
 * Opens `/api/stream` with these filters (and `after`: the last sequence number the caller has).
 * The browser's EventSource reconnects by itself and sends `Last-Event-ID`, so the server resumes
 * from the store: no gap, no duplicate. When the browser gives up (the server answered with an
 * error status), a new EventSource resumes after the last id seen. Provider failures come as
 * `provider-error` messages: they never touch the connection state. Returns the function that closes it.
 */
export function openStream(params: URLSearchParams, after: string | undefined, h: StreamHandlers): () => void {
  let last = after;
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const parse = <T>(e: Event): T => JSON.parse((e as MessageEvent<string>).data) as T;

  const connect = () => {
    const q = new URLSearchParams(params);
    if (last !== undefined) q.set('after', last);
    const es = new EventSource(`/api/stream?${q}`);
    source = es;
    h.onConnection?.(last === after && !retry ? 'connecting' : 'reconnecting');
    es.onopen = () => h.onConnection?.('live');
    es.onerror = () => {
      if (closed) return;
      h.onConnection?.('reconnecting');
      if (es.readyState === EventSource.CLOSED) {
        retry = setTimeout(connect, 2000);
      }
    };
    es.addEventListener('stack-event', (e) => {
      const m = e as MessageEvent<string>;
      if (m.lastEventId) last = m.lastEventId;
      h.onEvent?.(parse<StoredEvent>(e));
    });
    es.addEventListener('inventory', (e) => h.onInventory?.(parse<InventoryItem>(e)));
    es.addEventListener('provider-error', (e) => h.onProviderError?.(parse<ProviderError>(e)));
    es.addEventListener('provider-ok', (e) => h.onProviderOk?.(parse<{ key: string }>(e)));
  };
  connect();
  return () => {
    closed = true;
    if (retry) clearTimeout(retry);
    source?.close();
  };
}

type Listener<T> = (value: T) => void;

/** One app-wide stream (live only): connection state, inventory changes, provider errors. */
class LiveBus {
  connection: Connection = 'connecting';
  private readonly listeners = new Set<Listener<{ type: string; value: unknown }>>();
  private close: (() => void) | undefined;

  start(): void {
    if (this.close) return;
    const emit = (type: string, value: unknown) => {
      for (const l of this.listeners) l({ type, value });
    };
    this.close = openStream(new URLSearchParams(), undefined, {
      onConnection: (c) => {
        this.connection = c;
        emit('connection', c);
      },
      onInventory: (i) => emit('inventory', i),
      onProviderError: (e) => emit('provider-error', e),
      onProviderOk: (o) => emit('provider-ok', o),
    });
  }

  on(listener: Listener<{ type: string; value: unknown }>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const bus = new LiveBus();
