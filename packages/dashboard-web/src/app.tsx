import { useEffect, useState } from 'preact/hooks';
import { Link, Route, Switch } from 'wouter-preact';
import { type Connection, bus } from './live.js';
import { TimeContext, type TimeMode } from './time.js';
import { DeploymentView } from './views/deployment.js';
import { EventsView } from './views/events.js';
import { InventoryView } from './views/inventory.js';
import { StackView } from './views/stack.js';

const TIME_KEY = 'stackfeed.time';

export function App() {
  const [mode, setMode] = useState<TimeMode>(() => (localStorage.getItem(TIME_KEY) === 'local' ? 'local' : 'utc'));
  const [connection, setConnection] = useState<Connection>(bus.connection);
  useEffect(() => {
    const off = bus.on((m) => {
      if (m.type === 'connection') setConnection(m.value as Connection);
    });
    bus.start();
    return off;
  }, []);
  const toggle = () => {
    const next = mode === 'utc' ? 'local' : 'utc';
    localStorage.setItem(TIME_KEY, next);
    setMode(next);
  };
  return (
    <TimeContext.Provider value={mode}>
      <header class="top">
        <h1>
          <Link href="/">stackfeed</Link>
        </h1>
        <nav aria-label="views">
          <Link href="/">Inventory</Link>
          <Link href="/events">Events</Link>
        </nav>
        <span class={`conn conn-${connection}`} data-testid="connection" role="status">
          {connection === 'live' ? 'live' : connection === 'reconnecting' ? 'reconnecting…' : 'connecting…'}
        </span>
        <button type="button" class="toggle" data-testid="time-toggle" aria-pressed={mode === 'local'} onClick={toggle}>
          {mode === 'utc' ? 'Times: UTC' : 'Times: local'}
        </button>
      </header>
      <main>
        <Switch>
          <Route path="/" component={InventoryView} />
          <Route path="/events" component={EventsView} />
          <Route path="/stack/:provider/:stack" component={StackView} />
          <Route path="/deployment/:provider/:stack/:id" component={DeploymentView} />
          <Route>
            <p>
              No such page. <Link href="/">Back to the inventory</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </TimeContext.Provider>
  );
}
