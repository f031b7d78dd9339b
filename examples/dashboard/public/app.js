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
    el('div', { class: 'problems', 'data-testid': 'card-errors' }),
  );
  node
    .querySelector('.card-head')
    .append(
      el('span', { class: `badge p-${provider}` }, SHORT[provider] ?? provider),
      el('span', { class: 'target', title: target }, target),
    );
  node
    .querySelector('.progress')
    .append(el('div', { class: 'done' }), el('div', { class: 'undone' }), el('div', { class: 'failed' }));
  $('#stacks').append(node);
  s = { node, resources: new Map(), events: 0, state: 'running', action: undefined, problems: new Map() };
  stacks.set(k, s);
  return s;
}

/**
 * A resource deleted while the deployment was not a delete (a rollback destroying what the failed
 * create made) is undone, not complete: the bar must not turn green for it.
 */
function undone(s, r) {
  return r.phase === 'COMPLETE' && (r.action === 'ROLLBACK' || (r.action === 'DELETE' && s.action !== 'DELETE'));
}

function render(s) {
  let inProgress = 0,
    complete = 0,
    rolledBack = 0,
    failed = 0;
  for (const r of s.resources.values()) {
    if (r.phase === 'IN_PROGRESS') inProgress++;
    else if (r.phase === 'FAILED' || r.phase === 'CANCELLED') failed++;
    else if (undone(s, r)) rolledBack++;
    else complete++;
  }
  const all = Math.max(1, inProgress + complete + rolledBack + failed);
  s.node.querySelector('.progress .done').style.width = `${(100 * complete) / all}%`;
  s.node.querySelector('.progress .undone').style.width = `${(100 * rolledBack) / all}%`;
  s.node.querySelector('.progress .failed').style.width = `${(100 * failed) / all}%`;
  s.node.querySelector('.counts').textContent =
    `${s.events} events · ${inProgress} in progress · ${complete} complete` +
    `${rolledBack ? ` · ${rolledBack} rolled back` : ''} · ${failed} failed`;
  Object.assign(s.node.dataset, { complete, rolledBack, failed, inProgress });
  // A watch that errored has ended without an outcome: the card is failed, whatever it saw before.
  const state = s.state === 'running' && s.problems.size > 0 ? 'failed' : s.state;
  s.node.dataset.state = state;
  s.node.className = `card ${state}`;
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
  // What the deployment does: its first create/update/delete, from the stack's or a resource's event.
  if (s.action === undefined && ['CREATE', 'UPDATE', 'DELETE', 'IMPORT'].includes(ev.action)) s.action = ev.action;
  if (!own && name !== undefined && ev.phase !== 'INFO' && ev.phase !== 'UNKNOWN') {
    s.resources.set(`${ev.stack?.id ?? ev.stack?.name}\u0000${name}\u0000${res.key ?? ''}`, {
      phase: ev.phase,
      action: ev.action,
    });
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
  if (following) scrollToEnd();
}

/** Follow (keep the newest row in view) or pause; a distance-to-bottom guess breaks on wrapped rows. */
let following = true;
function scrollToEnd() {
  const scroller = $('.scroll');
  scroller.scrollTop = scroller.scrollHeight;
}
function setFollowing(on) {
  following = on;
  const b = $('#follow');
  b.textContent = on ? 'following' : 'paused';
  b.setAttribute('aria-pressed', String(on));
  b.dataset.state = on ? 'following' : 'paused';
  if (on) scrollToEnd();
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

const clock = (iso) => new Date(iso).toISOString().slice(11, 19);

/** One problem line, replaced in place when the same failure happens again (count, last seen). */
function problemLine(container, p, testid) {
  let line = [...container.children].find((c) => c.dataset.key === p.key);
  if (!line) {
    line = el('div', { class: 'problem', 'data-testid': testid });
    line.dataset.key = p.key;
    line.append(el('span', { class: 'code' }), el('span', { class: 'msg' }), el('span', { class: 'seen' }));
    container.append(line);
  }
  line.dataset.count = String(p.count);
  line.querySelector('.code').textContent = p.code;
  const where = testid === 'image-error' ? `${SHORT[p.provider] ?? p.provider ?? ''}: ` : '';
  line.querySelector('.msg').textContent = ` ${where}${p.message}`;
  line.querySelector('.seen').textContent = `${p.count > 1 ? ` ×${p.count}` : ''} · last ${clock(p.lastSeen)} UTC`;
  line.title = `${p.code}${p.httpStatus ? ` HTTP ${p.httpStatus}` : ''}${p.providerCode ? ` ${p.providerCode}` : ''}: ${p.message}`;
}

function onProblem(p) {
  if (p.target !== undefined && p.provider) {
    const s = card(p.provider, p.target);
    s.problems.set(p.key, p);
    problemLine(s.node.querySelector('.problems'), p, 'card-error');
    render(s);
  } else {
    problemLine($('#errors'), p, 'image-error');
  }
}

$('#f-provider').addEventListener('change', applyFilter);
$('#f-phase').addEventListener('change', applyFilter);
$('#follow').addEventListener('click', () => setFollowing(!following));
// Scrolling up with the wheel to read pauses; the button resumes.
$('.scroll').addEventListener('wheel', (e) => {
  if (e.deltaY < 0 && following) setFollowing(false);
});

const source = new EventSource('/events');
const conn = (text, cls) => {
  $('#conn').textContent = text;
  $('#conn').className = `conn ${cls}`;
  $('#conn').dataset.state = cls;
};
source.addEventListener('open', () => conn('live', 'live'));
// Only the browser fires `error` now (provider errors are `provider-error`): a real disconnect.
source.addEventListener('error', () => {
  if (source.readyState === EventSource.CLOSED) conn('disconnected', 'down');
  else conn('reconnecting…', 'reconnecting');
});
source.addEventListener('hello', (m) => {
  for (const t of JSON.parse(m.data).targets) render(card(t.provider, t.target));
});
source.addEventListener('event', (m) => onEvent(JSON.parse(m.data)));
source.addEventListener('result', (m) => onResult(JSON.parse(m.data)));
source.addEventListener('images', (m) => onImages(JSON.parse(m.data)));
source.addEventListener('provider-error', (m) => onProblem(JSON.parse(m.data)));
