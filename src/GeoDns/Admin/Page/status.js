// GeoDns status page: reads /api/v1/pools, /api/v1/zones and /api/v1/transitions, re-reads them on
// every server-sent event of /api/v1/events, and calls the admin POST endpoints with the bearer
// token asked once per tab (kept in sessionStorage only).
'use strict';

const tokenKey = 'geodns-admin-token';
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function time(value) {
  if (!value) return '';
  const d = new Date(value);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function ago(value) {
  if (!value) return '';
  const s = Math.max(0, Math.round((Date.now() - new Date(value).getTime()) / 1000));
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.round(s / 60) + ' min ago';
  return Math.round(s / 3600) + ' h ago';
}

function say(text, error) {
  const m = $('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

async function getJson(path) {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

function token(again) {
  let t = again ? null : sessionStorage.getItem(tokenKey);
  if (!t) {
    t = window.prompt('Admin token (kept in this tab only):');
    if (!t) return null;
    t = t.trim();
    sessionStorage.setItem(tokenKey, t);
  }
  return t;
}

async function post(path, body, what) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const t = token(attempt > 0);
    if (!t) { say(what + ': cancelled (no token)', true); return; }
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + t, 'Content-Type': 'text/plain' },
      body: body || '',
    });
    let detail = '';
    try { const j = await response.json(); detail = j.error || j.detail || ''; } catch (e) { /* no JSON */ }
    if (response.status === 401) { sessionStorage.removeItem(tokenKey); say(what + ': token refused', true); continue; }
    if (!response.ok) { say(what + ': HTTP ' + response.status + ' ' + detail, true); return; }
    say(what + ': done' + (response.status === 202 ? ' (this instance only: ' + detail + ')' : ''));
    refresh();
    return;
  }
}

// The SVG namespace as the HTML parser assigns it (the page names no outside address, not even a namespace URI).
const svgNs = (() => { const t = document.createElement('template'); t.innerHTML = '<svg></svg>'; return t.content.firstChild.namespaceURI; })();

// The member's recent probe latencies as a line (left: oldest); a failed probe is a red dot on the top edge.
function sparkline(probes) {
  const width = 120, height = 24, pad = 2;
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  svg.setAttribute('data-samples', String(probes.length));
  if (!probes.length) return svg;
  const max = Math.max(1, ...probes.filter((p) => p.ok).map((p) => p.ms));
  const step = probes.length > 1 ? (width - 2 * pad) / (probes.length - 1) : 0;
  const x = (i) => (pad + i * step).toFixed(1);
  const points = [];
  probes.forEach((p, i) => {
    if (p.ok) {
      points.push(x(i) + ',' + (height - pad - (p.ms / max) * (height - 2 * pad)).toFixed(1));
    } else {
      const dot = document.createElementNS(svgNs, 'circle');
      dot.setAttribute('class', 'failed');
      dot.setAttribute('cx', x(i));
      dot.setAttribute('cy', String(pad));
      dot.setAttribute('r', '2');
      svg.append(dot);
    }
  });
  const line = document.createElementNS(svgNs, 'polyline');
  line.setAttribute('points', points.join(' '));
  svg.prepend(line);
  const title = document.createElementNS(svgNs, 'title');
  title.textContent = probes.length + ' probes, slowest passing ' + max.toFixed(1) + ' ms';
  svg.append(title);
  return svg;
}

function latency(probes) {
  if (!probes || !probes.length) return '';
  const last = probes[probes.length - 1];
  return (last.ok ? '' : 'failed after ') + last.ms.toFixed(1) + ' ms';
}

function memberClass(m) {
  return 'member ' + m.shared + (m.usable ? ' serving' : ' not-serving');
}

function renderPools(data) {
  const pools = $('pools');
  pools.replaceChildren();
  if (!data.pools.length) { pools.append(el('p', { class: 'muted' }, 'no pools served')); return; }
  for (const pool of data.pools) {
    const section = el('div', { class: 'pool', 'data-pool': pool.name });
    section.append(el('h3', {}, pool.name, ' ', pool.pinnedRegion ? el('span', { class: 'badge warn' }, 'pinned to ' + pool.pinnedRegion) : null));
    const rows = [...pool.members].sort((a, b) => a.region.localeCompare(b.region) || a.member.localeCompare(b.member));
    const body = el('tbody');
    for (const m of rows) {
      const flags = [];
      if (m.regionDrained) flags.push(el('span', { class: 'badge bad flag-drained' }, 'drained'));
      if (m.override !== 'auto') flags.push(el('span', { class: 'badge warn flag-forced' }, 'forced ' + m.override));
      if (pool.pinnedRegion) flags.push(el('span', { class: 'badge' }, pool.pinnedRegion === m.region ? 'pinned here' : 'not the pinned region'));
      const votes = (m.votes || []).map((v) => el('span', { class: 'state ' + v.status, title: time(v.at) }, v.instance + ':' + v.status + ' '));
      const force = (state) => el('button', {
        type: 'button', class: 'force-' + state,
        onclick: () => post('/api/v1/pools/' + encodeURIComponent(pool.name) + '/members/' + encodeURIComponent(m.member) + '/state', state, 'force ' + m.member + ' ' + state),
      }, state === 'auto' ? 'auto' : 'force ' + state);
      body.append(el('tr', { class: memberClass(m), 'data-member': m.member, 'data-region': m.region, 'data-health': m.shared, 'data-serving': String(m.usable), 'data-drained': String(m.regionDrained) },
        el('td', {}, m.region),
        el('td', { class: 'mono' }, m.member),
        el('td', { class: 'health' }, el('span', { class: 'state ' + m.shared }, m.shared), m.local !== m.shared ? el('span', { class: 'muted' }, ' (here: ' + m.local + ')') : null),
        el('td', { class: 'serving' }, m.usable ? 'serving' : 'not serving'),
        el('td', {}, flags),
        el('td', { title: time(m.sharedSince || m.localSince) }, ago(m.sharedSince || m.localSince)),
        el('td', { class: 'latency mono', title: 'last probe' }, latency(m.probes)),
        el('td', { class: 'spark' }, sparkline(m.probes || [])),
        el('td', { class: 'reason' }, m.localReason || ''),
        el('td', { class: 'last-error', title: time(m.lastErrorAt) }, m.lastError ? m.lastError + ' (' + ago(m.lastErrorAt) + ')' : ''),
        el('td', { class: 'votes' }, votes),
        el('td', {}, force('up'), force('down'), force('auto'))));
    }
    section.append(el('table', {},
      el('thead', {}, el('tr', {}, ['region', 'member', 'health', 'answers', 'overrides', 'since', 'probe latency', 'recent probes', 'verdict reason', 'last error', 'votes per instance', 'force'].map((h) => el('th', {}, h)))),
      body));
    pools.append(section);
  }
}

function renderRegions(data) {
  const drained = new Set(data.overrides.drainedRegions);
  const regions = new Set(drained);
  for (const pool of data.pools) for (const m of pool.members) { regions.add(m.region); if (m.regionDrained) drained.add(m.region); }
  const box = $('regions');
  box.replaceChildren();
  for (const region of [...regions].sort()) {
    const isDrained = drained.has(region);
    box.append(el('span', { class: 'region' + (isDrained ? ' drained' : ''), 'data-region': region },
      el('strong', {}, region), ' ', el('span', { class: 'badge ' + (isDrained ? 'bad' : 'ok') }, isDrained ? 'drained' : 'in service'),
      el('button', {
        type: 'button', class: isDrained ? 'undrain' : 'drain',
        onclick: () => post('/api/v1/regions/' + encodeURIComponent(region) + '/' + (isDrained ? 'undrain' : 'drain'), '', (isDrained ? 'undrain ' : 'drain ') + region),
      }, isDrained ? 'undrain' : 'drain')));
  }
}

function renderOverrides(o) {
  const items = [];
  for (const r of o.drainedRegions) items.push('region ' + r + ' drained');
  for (const m of o.members) items.push(m.pool + ' ' + m.member + ' forced ' + m.state);
  for (const p of o.pins) items.push(p.pool + ' pinned to ' + p.region);
  for (const c of o.conflicts || []) items.push('note: ' + c);
  const box = $('overrides');
  box.replaceChildren(items.length ? el('ul', {}, items.map((i) => el('li', {}, i))) : el('span', { class: 'muted' }, 'none'));
}

function renderShared(s) {
  $('instance').textContent = 'instance ' + s.instance;
  const b = $('shared');
  const ok = s.mode !== 'redis' || (s.connected && !s.degraded);
  b.className = 'badge ' + (ok ? 'ok' : 'bad');
  b.textContent = s.mode + (s.mode === 'redis' ? (s.connected ? ' connected' : ' DOWN') + (s.degraded ? ', degraded since ' + time(s.degradedSince) : '') : '');
}

function renderZones(data) {
  const body = $('zones').tBodies[0];
  body.replaceChildren(...data.zones.map((z) => el('tr', {}, el('td', { class: 'mono' }, z.zone), el('td', { class: 'mono' }, z.serial), el('td', {}, time(z.since)))));
}

function renderTransitions(data) {
  const body = $('transitions').tBodies[0];
  const rows = [...data.transitions].reverse();
  body.replaceChildren(...rows.map((t) => el('tr', {},
    el('td', {}, time(t.at)), el('td', { class: 'mono' }, t.pool), el('td', { class: 'mono' }, t.member), el('td', {}, t.region),
    el('td', {}, t.from), el('td', {}, t.to), el('td', {}, t.reason || ''))));
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: '7', class: 'muted' }, 'none since this admin API started')));
}

let pending = null;
let again = false;
async function refresh() {
  if (pending) { again = true; return pending; }
  pending = (async () => {
    try {
      const [pools, zones, transitions] = await Promise.all([getJson('/api/v1/pools'), getJson('/api/v1/zones'), getJson('/api/v1/transitions')]);
      renderShared(pools.sharedState);
      renderOverrides(pools.overrides);
      renderRegions(pools);
      renderPools(pools);
      renderZones(zones);
      renderTransitions(transitions);
      $('updated').textContent = 'updated ' + time(new Date());
    } catch (e) {
      say('cannot read the admin API: ' + e.message, true);
    }
  })();
  await pending;
  pending = null;
  if (again) { again = false; refresh(); }
}

function listen() {
  const live = $('live');
  const events = new EventSource('/api/v1/events');
  events.onopen = () => { live.className = 'badge ok'; live.textContent = 'live'; refresh(); };
  events.onerror = () => { live.className = 'badge bad'; live.textContent = 'live: reconnecting'; };
  for (const kind of ['transition', 'override', 'reload', 'redis']) events.addEventListener(kind, refresh);
}

$('forget-token').addEventListener('click', () => { sessionStorage.removeItem(tokenKey); say('token forgotten'); });
refresh();
listen();
// Events carry verdict changes; latencies change on every probe without one, so they (and the
// "since" columns) are re-read every 5 s while the tab is visible.
setInterval(() => { if (document.visibilityState === 'visible') refresh(); }, 5000);
