// The dashboard page: one EventSource on /events, records as documented in docs/cli.md (NDJSON v1).
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
const SHORT = {
  'openstack-heat': 'heat',
  'huawei-rfs': 'rfs',
  'aws-parallelcluster': 'pcluster',
  'aws-imagebuilder': 'imagebuilder',
};
const key = (provider, target) => `${provider}\u0000${target}`;

/** Per deployment: the latest phase of each resource, events seen, and how it ended. */
const stacks = new Map();
let total = 0;

function card(provider, target) {
  const k = key(provider, target);
  let s = stacks.get(k);
  if (s) return s;
  const node = el('article', {
    class: 'card running',
    'data-testid': 'stack-card',
    'data-provider': provider,
    'data-state': 'running',
  });
  node.append(
    el('div', { class: 'card-head' }),
    el('div', { class: 'progress' }),
    el('div', { class: 'counts' }),
    el('div', { class: 'outcome', 'data-testid': 'outcome' }),
  );
  node
    .querySelector('.card-head')
    .append(
      el('span', { class: `badge p-${provider}` }, SHORT[provider] ?? provider),
      el('span', { class: 'target', title: target }, target),
    );
  node.querySelector('.progress').append(el('div', { class: 'done' }), el('div', { class: 'failed' }));
  $('#stacks').append(node);
  s = { node, resources: new Map(), events: 0, state: 'running' };
  stacks.set(k, s);
  return s;
}

function render(s) {
  let inProgress = 0,
    complete = 0,
    failed = 0;
  for (const p of s.resources.values()) {
    if (p === 'IN_PROGRESS') inProgress++;
    else if (p === 'FAILED' || p === 'CANCELLED') failed++;
    else complete++;
  }
  const all = Math.max(1, inProgress + complete + failed);
  s.node.querySelector('.progress .done').style.width = `${(100 * complete) / all}%`;
  s.node.querySelector('.progress .failed').style.width = `${(100 * failed) / all}%`;
  s.node.querySelector('.counts').textContent =
    `${s.events} events · ${inProgress} in progress · ${complete} complete · ${failed} failed`;
  s.node.dataset.state = s.state;
  s.node.className = `card ${s.state}`;
}

function matches(row) {
  const p = $('#f-provider').value;
  const ph = $('#f-phase').value;
  return (!p || row.dataset.provider === p) && (!ph || row.dataset.phase === ph);
}

function applyFilter() {
  let shown = 0;
  for (const row of document.querySelectorAll('#events tbody tr')) {
    const on = matches(row);
    row.hidden = !on;
    if (on) shown++;
  }
  $('#count').textContent = shown === total ? `${total}` : `${shown} of ${total}`;
}

function onEvent(ev) {
  total++;
  const s = card(ev.provider, ev.target);
  s.events++;
  const res = ev.resource ?? {};
  const name = res.logicalId ?? res.name ?? res.physicalId;
  const own = ev.isStackEvent || (name !== undefined && name === ev.stack?.name);
  if (!own && name !== undefined && ev.phase !== 'INFO' && ev.phase !== 'UNKNOWN') {
    s.resources.set(`${ev.stack?.id ?? ev.stack?.name}\u0000${name}\u0000${res.key ?? ''}`, ev.phase);
  }
  render(s);

  const stack =
    ev.stack?.rootName && ev.stack.rootName !== ev.stack.name
      ? `${ev.stack.rootName}/${ev.stack.name}`
      : (ev.stack?.name ?? ev.stack?.id ?? '');
  const row = el('tr', {
    'data-testid': 'event-row',
    'data-provider': ev.provider,
    'data-phase': ev.phase,
    class: `phase-${ev.phase}`,
  });
  const resource = ev.isStackEvent ? '(stack)' : `${name ?? ''}${res.key !== undefined ? `[${res.key}]` : ''}`;
  for (const [text, cls] of [
    [ev.timestamp.slice(0, 19).replace('T', ' '), 'time'],
    [SHORT[ev.provider] ?? ev.provider, 'provider'],
    [stack, 'stack'],
    [resource, 'resource'],
    [ev.action, 'action'],
    [ev.phase, 'phase'],
    [ev.message ?? '', 'reason'],
  ])
    row.append(el('td', { class: cls, title: text }, text));
  row.hidden = !matches(row);
  $('#events tbody').append(row);
  applyFilter();
  const scroller = $('.scroll');
  if (scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80)
    scroller.scrollTop = scroller.scrollHeight;
}

function onResult(r) {
  const s = card(r.provider, r.target);
  s.state =
    r.outcome === 'failed' || r.outcome === 'cancelled'
      ? 'failed'
      : r.outcome === 'incomplete'
        ? 'running'
        : 'succeeded';
  s.node.querySelector('.outcome').textContent = `${r.status ?? r.outcome}${r.reason ? ` — ${r.reason}` : ''}`;
  render(s);
}

function onImages({ items }) {
  const body = $('#images tbody');
  body.replaceChildren();
  for (const img of items) {
    const row = el('tr', { 'data-testid': 'image-row', 'data-state': img.state, class: `state-${img.state}` });
    const artifacts = (img.artifacts ?? []).map((a) => (a.region ? `${a.id} (${a.region})` : a.id)).join(', ');
    for (const text of [
      SHORT[img.provider] ?? img.provider,
      img.id,
      img.name ?? '',
      img.version ?? '',
      img.state,
      img.status,
      artifacts,
    ]) {
      row.append(el('td', { title: text }, text));
    }
    body.append(row);
  }
}

function onError(e) {
  $('#errors').append(
    el(
      'p',
      { class: 'error', 'data-testid': 'error' },
      `${e.code ?? 'ERROR'} ${e.provider ?? ''} ${e.target ?? ''}: ${e.message ?? ''}`,
    ),
  );
}

$('#f-provider').addEventListener('change', applyFilter);
$('#f-phase').addEventListener('change', applyFilter);

const source = new EventSource('/events');
source.addEventListener('open', () => {
  $('#conn').textContent = 'live';
  $('#conn').className = 'conn live';
});
source.addEventListener('error', () => {
  $('#conn').textContent = 'reconnecting…';
  $('#conn').className = 'conn';
});
source.addEventListener('hello', (m) => {
  for (const t of JSON.parse(m.data).targets) render(card(t.provider, t.target));
});
source.addEventListener('event', (m) => onEvent(JSON.parse(m.data)));
source.addEventListener('result', (m) => onResult(JSON.parse(m.data)));
source.addEventListener('images', (m) => onImages(JSON.parse(m.data)));
source.addEventListener('error', (m) => {
  if (m.data) onError(JSON.parse(m.data));
});
