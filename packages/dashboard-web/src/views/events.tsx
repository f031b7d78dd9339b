import { apiParams, FilterBar, useQueryFilters } from '../filters.js';
import { EventTable } from './event-table.js';

/** Every stored event, filtered and searched by the server, then live. */
export function EventsView() {
  const [q] = useQueryFilters();
  const params = apiParams(q, ['provider', 'stack', 'phase', 'text', 'since', 'until']);
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events{q.get('stack') ? ` of ${q.get('stack')}` : ''}</h2>
      <FilterBar fields={['provider', 'phase', 'text', 'time']} />
      <EventTable params={params} />
    </section>
  );
}
