// Ferry console: polls the manager's /v1 API every second and renders it. Plain JavaScript, no
// libraries, nothing fetched from anywhere but this manager. Elements are updated in place (keyed
// by host, VM or migration id) so buttons and selects survive a refresh.
'use strict';

(() => {
  const REFRESH_MS = 1000;
  const HISTORY_ROWS = 20;
  const CHART_MARKS = 40;
  const EVENTS_SHOWN = 20;
  const MAX_ERRORS = 5;
  const NOTICE_MS = 8000;
  const PHASES = ['preflight', 'prepare', 'disk-mirror', 'precopy', 'switchover', 'handover', 'cleanup'];
  const SVG_NS = 'http://www.w3.org/2000/svg';

  /** Everything last read from the API; null until first read. */
  const state = {
    hosts: null,
    vms: null,
    migrations: null,
    balance: null,
    events: null,
    maintenance: {},
  };
  /** Keys of actions under way (their buttons stay disabled). */
  const busy = new Set();

  // ------------------------------------------------------------------ API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  // The API token, entered once per tab: kept in sessionStorage (never a cookie, so a cross-site
  // page cannot make the browser send it) and sent as a bearer token.
  const TOKEN_KEY = 'ferry.token';

  function showLogin(message) {
    const form = $('#login');
    if (!form) return;
    form.hidden = false;
    setText($('#login-message'), message);
  }

  function initLogin() {
    const form = $('#login');
    if (!form) return;
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = $('#login-token').value.trim();
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      $('#login-token').value = '';
      form.hidden = true;
      tick();
    });
  }

  /** Calls the API; throws ApiError carrying the manager's {status, code, message}. */
  async function api(method, path, body) {
    const init = { method, headers: { Accept: 'application/json' }, cache: 'no-store' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) init.headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'unreachable', 'cannot reach the manager (' + e.message + ')');
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = null;
      }
    }
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin(data && data.message ? data.message : 'This manager needs an API token.');
    }
    if (!res.ok) {
      if (data && typeof data.message === 'string') {
        throw new ApiError(data.status || res.status, data.code || 'error', data.message);
      }
      throw new ApiError(res.status, 'http', (text || res.statusText || 'error').slice(0, 300));
    }
    return data;
  }

  // ------------------------------------------------------------------ DOM helpers

  const $ = (sel, root = document) => root.querySelector(sel);

  /** Creates an element: h('td', {class: 'num', 'data-testid': 'x'}, child, 'text', ...). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'hidden') el.hidden = true;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined) el.append(c);
    }
    return el;
  }

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) el.setAttribute(k, String(v));
    }
    for (const c of children) {
      if (c !== null && c !== undefined) el.append(c);
    }
    return el;
  }

  function setText(el, text) {
    const t = text === null || text === undefined ? '' : String(text);
    if (el.textContent !== t) el.textContent = t;
  }

  function setAttr(el, name, value) {
    if (value === null || value === undefined) {
      if (el.hasAttribute(name)) el.removeAttribute(name);
    } else if (el.getAttribute(name) !== String(value)) {
      el.setAttribute(name, String(value));
    }
  }

  function setBadge(el, text, tone) {
    setText(el, text);
    const cls = 'badge' + (tone ? ' ' + tone : '');
    if (el.className !== cls) el.className = cls;
  }

  function setBar(fill, bar, fraction, warnAt = 0.75, badAt = 0.9) {
    const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    const width = (f * 100).toFixed(1) + '%';
    if (fill.style.width !== width) fill.style.width = width;
    const cls = 'fill' + (f >= badAt ? ' bad' : f >= warnAt ? ' warn' : '');
    if (fill.className !== cls) fill.className = cls;
    setAttr(bar, 'aria-valuenow', Math.round(f * 100));
  }

  function bar(testid, label, extraClass) {
    const fill = h('div', { class: 'fill' });
    const el = h('div', {
      class: 'bar' + (extraClass ? ' ' + extraClass : ''),
      role: 'progressbar',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'data-testid': testid,
    }, fill);
    return { el, fill };
  }

  /**
   * Keeps container's children in step with items: one child per key, created once, updated on
   * every call, in the items' order; children whose key is gone are removed.
   */
  function reconcile(container, items, keyOf, create, update) {
    const existing = new Map();
    for (const el of Array.from(container.children)) existing.set(el.dataset.key, el);
    const seen = new Set();
    let prev = null;
    for (const item of items) {
      const key = String(keyOf(item));
      seen.add(key);
      let el = existing.get(key);
      if (!el) {
        el = create(item);
        el.dataset.key = key;
      }
      update(el, item);
      const want = prev ? prev.nextSibling : container.firstChild;
      if (el !== want) container.insertBefore(el, want);
      prev = el;
    }
    for (const [key, el] of existing) {
      if (!seen.has(key)) el.remove();
    }
  }

  // ------------------------------------------------------------------ formatting

  const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

  function fmtBytes(n) {
    if (n === null || n === undefined || !Number.isFinite(Number(n))) return '–';
    let v = Number(n);
    let u = 0;
    while (v >= 1024 && u < UNITS.length - 1) {
      v /= 1024;
      u++;
    }
    return (u === 0 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)) + ' ' + UNITS[u];
  }

  function fmtRate(bytesPerSecond) {
    return bytesPerSecond === null || bytesPerSecond === undefined ? '–' : fmtBytes(bytesPerSecond) + '/s';
  }

  /** ISO-8601 duration (as Jackson writes java.time.Duration, e.g. PT1M2.5S) to milliseconds. */
  function durationMs(value) {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return value * 1000;
    const m = /^(-)?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(-?\d+(?:\.\d+)?)H)?(?:(-?\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/
      .exec(String(value));
    if (!m) return null;
    const [, neg, d, hh, mm, ss] = m;
    const ms = ((+d || 0) * 86400 + (+hh || 0) * 3600 + (+mm || 0) * 60 + (+ss || 0)) * 1000;
    return neg ? -ms : ms;
  }

  function fmtMs(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    const min = Math.floor(ms / 60000);
    const s = Math.round((ms % 60000) / 1000);
    return min + ' min ' + s + ' s';
  }

  function fmtTime(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    const time = d.toLocaleTimeString([], { hour12: false });
    const today = new Date();
    if (d.toDateString() === today.toDateString()) return time;
    return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
  }

  function fmtAgo(iso) {
    if (!iso) return '–';
    const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    if (s < 86400) return Math.floor(s / 3600) + ' h ago';
    return Math.floor(s / 86400) + ' d ago';
  }

  /** An ISO instant as epoch milliseconds (0 when absent), for ordering. */
  function millis(iso) {
    const t = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(t) ? 0 : t;
  }

  const num3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '–');

  const TONES = {
    up: 'ok', unreachable: 'bad',
    none: 'ok', entering: 'warn', 'in-maintenance': 'info',
    running: 'ok', incoming: 'accent', starting: 'warn', stopping: 'warn', paused: 'warn',
    crashed: 'bad', stopped: '',
    queued: 'info', completed: 'ok', failed: 'bad', aborted: 'warn', cancelled: '',
    off: '', manual: 'accent', automatic: 'ok',
  };

  const MAINTENANCE_TEXT = {
    none: 'in service',
    entering: 'entering maintenance',
    'in-maintenance': 'in maintenance',
  };

  // ------------------------------------------------------------------ messages

  function showError(what, err) {
    const box = $('#messages');
    const status = err && err.status !== undefined ? err.status : 0;
    const code = err && err.code ? err.code : 'error';
    const message = err && err.message ? err.message : String(err);
    const el = h('div', {
      class: 'message error',
      'data-testid': 'error-message',
      'data-status': status,
      'data-code': code,
    },
    h('div', { class: 'text' },
      h('strong', {}, what + ' failed: '),
      h('span', { class: 'code' }, (status ? status + ' ' : '') + code),
      message),
    h('button', { type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
    box.prepend(el);
    const errors = box.querySelectorAll('.message.error');
    for (let i = MAX_ERRORS; i < errors.length; i++) errors[i].remove();
  }

  function notify(text) {
    const el = h('div', { class: 'message info', 'data-testid': 'notice', role: 'status' },
      h('div', { class: 'text' }, text),
      h('button', { type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss', onclick: () => el.remove() }, '×'));
    $('#messages').append(el);
    setTimeout(() => el.remove(), NOTICE_MS);
  }

  function sectionError(sectionId, err) {
    const el = $('#' + sectionId + ' .section-error');
    if (!err) {
      el.hidden = true;
      return;
    }
    setText(el, 'Could not load: ' + (err.status ? err.status + ' ' : '') + (err.code || '') + ': ' + err.message);
    el.hidden = false;
  }

  /** Runs an operator's action; its errors are shown, its button stays disabled meanwhile. */
  async function act(key, what, fn) {
    if (busy.has(key)) return;
    busy.add(key);
    render();
    try {
      await fn();
    } catch (e) {
      showError(what, e);
    } finally {
      busy.delete(key);
      refreshNow();
    }
  }

  // ------------------------------------------------------------------ refresh loop

  const SOURCES = {
    hosts: { path: 'v1/hosts', sections: ['hosts'] },
    vms: { path: 'v1/vms', sections: ['vms'] },
    migrations: { path: 'v1/migrations', sections: ['migrations', 'history'] },
    balance: { path: 'v1/balance', sections: ['balance'] },
    events: { path: 'v1/events', sections: ['events'] },
  };

  let timer = null;
  let inFlight = false;
  let again = false;
  let downSince = null;

  async function refresh() {
    const keys = Object.keys(SOURCES);
    const results = await Promise.allSettled(keys.map((k) => api('GET', SOURCES[k].path)));
    const failures = [];
    keys.forEach((k, i) => {
      const r = results[i];
      if (r.status === 'fulfilled') {
        state[k] = r.value;
        SOURCES[k].sections.forEach((s) => sectionError(s, null));
      } else {
        failures.push(r.reason);
        SOURCES[k].sections.forEach((s) => sectionError(s, r.reason));
      }
    });
    // Evacuation details of hosts in (or entering) maintenance.
    const inMaintenance = (state.hosts || []).filter((x) => x.maintenance !== 'none').map((x) => x.name);
    const details = await Promise.allSettled(
      inMaintenance.map((n) => api('GET', 'v1/hosts/' + encodeURIComponent(n) + '/maintenance')));
    const maintenance = {};
    inMaintenance.forEach((n, i) => {
      if (details[i].status === 'fulfilled') maintenance[n] = details[i].value;
    });
    state.maintenance = maintenance;

    const conn = $('#connection');
    if (failures.length === keys.length) {
      downSince = downSince || new Date();
      setAttr(conn, 'data-state', 'down');
      setText(conn, 'Manager unreachable since ' + fmtTime(downSince.toISOString()) + ': ' + failures[0].message);
    } else {
      downSince = null;
      setAttr(conn, 'data-state', 'live');
      setText(conn, 'Live · updated ' + fmtTime(new Date().toISOString()));
    }
    render();
  }

  async function tick() {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      await refresh();
    } catch (e) {
      console.error('refresh failed', e);
    } finally {
      inFlight = false;
      clearTimeout(timer);
      if (again) {
        again = false;
        tick();
      } else {
        timer = setTimeout(tick, REFRESH_MS);
      }
    }
  }

  function refreshNow() {
    clearTimeout(timer);
    tick();
  }

  // ------------------------------------------------------------------ rendering

  function render() {
    const steps = [renderSummary, renderHosts, renderVms, renderMigrations, renderHistory, renderBalance, renderEvents];
    for (const step of steps) {
      try {
        step();
      } catch (e) {
        console.error('render failed', step.name, e);
      }
    }
  }

  const migrationsById = () => new Map((state.migrations || []).map((m) => [m.id, m]));

  function renderSummary() {
    if (!state.hosts && !state.vms && !state.migrations) return;
    const hosts = state.hosts || [];
    const vms = state.vms || [];
    const migrations = state.migrations || [];
    const up = hosts.filter((x) => x.status === 'up').length;
    const maint = hosts.filter((x) => x.maintenance !== 'none').length;
    const running = migrations.filter((m) => m.status === 'running').length;
    const queued = migrations.filter((m) => m.status === 'queued').length;
    setText($('#summary'),
      hosts.length + ' host' + (hosts.length === 1 ? '' : 's') + ' (' + up + ' up'
      + (maint ? ', ' + maint + ' in maintenance' : '') + ') · '
      + vms.length + ' VM' + (vms.length === 1 ? '' : 's') + ' · '
      + running + ' migrating · ' + queued + ' queued');
  }

  // ---- hosts

  function renderHosts() {
    if (!state.hosts) return;
    const vmsOn = new Map();
    for (const v of state.vms || []) vmsOn.set(v.host, (vmsOn.get(v.host) || 0) + 1);
    const hosts = [...state.hosts].sort((a, b) => a.name.localeCompare(b.name));
    reconcile($('#host-list'), hosts, (x) => x.name, createHostCard, (el, x) => updateHostCard(el, x, vmsOn));
    $('#hosts-empty').hidden = hosts.length > 0;
  }

  function meter(label, testid) {
    const value = h('span', { class: 'value', 'data-testid': testid + '-value' });
    const b = bar(testid + '-bar', label);
    const el = h('div', { class: 'meter', 'data-testid': testid },
      h('div', { class: 'meter-label' }, h('span', {}, label), value), b.el);
    return { el, value, bar: b.el, fill: b.fill };
  }

  function createHostCard(x) {
    const p = {};
    p.name = h('h3', { 'data-testid': 'host-name' }, x.name);
    p.status = h('span', { class: 'badge', 'data-testid': 'host-status' });
    p.maint = h('span', { class: 'badge', 'data-testid': 'host-maintenance' });
    p.cpu = meter('CPU', 'host-cpu');
    p.mem = meter('Memory', 'host-memory');
    p.evac = h('div', { class: 'evacuation', 'data-testid': 'host-evacuation', hidden: true });
    p.vms = h('strong', { 'data-testid': 'host-vms' });
    p.running = h('span', {});
    p.button = h('button', { type: 'button', 'data-testid': 'maintenance-button' });
    p.facts = h('p', { class: 'host-facts', 'data-testid': 'host-facts' });
    const el = h('article', { class: 'host', 'data-testid': 'host-card', 'data-host': x.name },
      h('div', { class: 'host-head' }, p.name, p.status, p.maint),
      p.cpu.el, p.mem.el, p.evac,
      h('div', { class: 'host-foot' }, h('span', {}, 'VMs ', p.vms, p.running), p.button),
      p.facts);
    p.button.addEventListener('click', () => toggleMaintenance(el.dataset.host, el.dataset.maintenance));
    el._p = p;
    return el;
  }

  function updateHostCard(el, x, vmsOn) {
    const p = el._p;
    setAttr(el, 'data-status', x.status);
    setAttr(el, 'data-maintenance', x.maintenance);
    setBadge(p.status, x.status, TONES[x.status]);
    setAttr(p.status, 'title', 'since ' + fmtTime(x.statusSince));
    setBadge(p.maint, MAINTENANCE_TEXT[x.maintenance] || x.maintenance, TONES[x.maintenance]);

    const load = x.load || null;
    if (load) {
      setText(p.cpu.value, load.cpuUsed.toFixed(2) + ' / ' + load.cores + ' cores');
      setBar(p.cpu.fill, p.cpu.bar, load.cores > 0 ? load.cpuUsed / load.cores : 0);
      setText(p.mem.value, fmtBytes(load.memoryCommitted) + ' / ' + fmtBytes(load.memoryTotal));
      setBar(p.mem.fill, p.mem.bar, load.memoryTotal > 0 ? load.memoryCommitted / load.memoryTotal : 0);
      setText(p.running, ' (' + load.running + ' running)');
    } else {
      setText(p.cpu.value, 'no data');
      setText(p.mem.value, 'no data');
      setBar(p.cpu.fill, p.cpu.bar, 0);
      setBar(p.mem.fill, p.mem.bar, 0);
      setText(p.running, '');
    }
    setText(p.vms, vmsOn.get(x.name) || 0);

    const entering = x.maintenance === 'none';
    setText(p.button, entering ? 'Enter maintenance' : 'Exit maintenance');
    p.button.className = entering ? '' : 'primary';
    p.button.disabled = busy.has('maintenance:' + x.name);
    setAttr(p.button, 'aria-busy', busy.has('maintenance:' + x.name) ? 'true' : null);
    setAttr(p.button, 'title', entering
      ? 'Stop placing VMs here and live-migrate its VMs away'
      : 'Make the host take VMs again (queued evacuation moves are cancelled)');

    updateEvacuation(p.evac, x, state.maintenance[x.name]);

    const f = x.facts;
    const parts = [];
    if (f) {
      if (f.qemu && f.qemu.version) parts.push('QEMU ' + f.qemu.version);
      if (f.cpu) parts.push(f.cpu.cores + ' cores');
      if (f.kernel) parts.push('Linux ' + f.kernel);
    }
    parts.push(x.lastSeen ? 'seen ' + fmtAgo(x.lastSeen) : 'never seen');
    setText(p.facts, parts.join(' · '));
    setAttr(p.facts, 'title', x.url);
  }

  function updateEvacuation(box, host, status) {
    if (host.maintenance === 'none' || !status) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const items = status.vms || [];
    const moved = items.filter((i) => i.status === 'completed').length;
    const headline = host.maintenance === 'entering'
      ? 'Evacuating: ' + moved + ' of ' + items.length + ' VM' + (items.length === 1 ? '' : 's') + ' moved'
      : 'Host is empty' + (items.length ? '; ' + moved + ' VM' + (moved === 1 ? '' : 's') + ' evacuated' : '');
    const lines = items
      .filter((i) => host.maintenance === 'entering' || i.status !== 'completed')
      .map((i) => i.vm + (i.destination ? ' → ' + i.destination : '') + ': ' + i.status + (i.reason ? ' (' + i.reason + ')' : ''));
    const key = headline + '|' + lines.join('|');
    if (box._key === key) return;
    box._key = key;
    const children = [h('div', { 'data-testid': 'evacuation-headline' }, headline)];
    if (lines.length) children.push(h('ul', {}, ...lines.map((l) => h('li', {}, l))));
    box.replaceChildren(...children);
  }

  function toggleMaintenance(host, maintenance) {
    const path = 'v1/hosts/' + encodeURIComponent(host) + '/maintenance';
    if (maintenance === 'none') {
      act('maintenance:' + host, 'Enter maintenance on ' + host, async () => {
        const st = await api('POST', path);
        const n = (st.vms || []).length;
        notify(host + ' enters maintenance: ' + n + ' VM' + (n === 1 ? '' : 's') + ' to evacuate.');
      });
    } else {
      act('maintenance:' + host, 'Exit maintenance on ' + host, async () => {
        await api('DELETE', path);
        notify(host + ' takes VMs again.');
      });
    }
  }

  // ---- VMs

  function renderVms() {
    if (!state.vms) return;
    const byId = migrationsById();
    const targets = (state.hosts || []).filter((x) => x.status === 'up' && x.maintenance === 'none').map((x) => x.name).sort();
    const vms = [...state.vms].sort((a, b) => a.name.localeCompare(b.name));
    reconcile($('#vm-table tbody'), vms, (v) => v.name, createVmRow, (el, v) => updateVmRow(el, v, byId, targets));
    $('#vm-table').hidden = vms.length === 0;
    $('#vms-empty').hidden = vms.length > 0;
  }

  function createVmRow(v) {
    const p = {};
    p.host = h('td', { 'data-testid': 'vm-host' });
    p.state = h('span', { class: 'badge', 'data-testid': 'vm-state' });
    p.vcpus = h('td', { class: 'num' });
    p.memory = h('td', { class: 'num', 'data-testid': 'vm-memory' });
    p.migration = h('td', { 'data-testid': 'vm-migration' });
    p.select = h('select', { 'data-testid': 'migrate-target', 'aria-label': 'Destination for ' + v.name });
    p.button = h('button', { type: 'button', 'data-testid': 'migrate-button' }, 'Migrate');
    const el = h('tr', { 'data-testid': 'vm-row', 'data-vm': v.name },
      h('td', { 'data-testid': 'vm-name' }, h('strong', {}, v.name)),
      p.host, h('td', {}, p.state), p.vcpus, p.memory, p.migration,
      h('td', {}, h('div', { class: 'vm-move' }, p.select, p.button)));
    p.button.addEventListener('click', () => migrateVm(v.name, p.select.value));
    el._p = p;
    return el;
  }

  function updateVmRow(el, v, byId, targets) {
    const p = el._p;
    setAttr(el, 'data-host', v.host);
    setAttr(el, 'data-state', v.state);
    setText(p.host, v.host);
    setBadge(p.state, v.state, TONES[v.state]);
    setText(p.vcpus, v.vcpus);
    setText(p.memory, fmtBytes(v.memory));

    const m = v.migration ? byId.get(v.migration) : null;
    let text = '';
    if (v.migration && !m) text = v.migration;
    if (m && m.status === 'queued') text = 'queued → ' + m.destination;
    if (m && m.status === 'running') {
      const pr = m.record && m.record.progress;
      text = '→ ' + m.destination + (pr ? ' · ' + pr.phase + ' ' + Math.floor(pr.percent) + '%' : ' · starting');
    }
    setText(p.migration, text);
    setAttr(p.migration, 'data-migration', v.migration || null);

    const options = ['', ...targets.filter((t) => t !== v.host)];
    const optKey = options.join('|');
    if (p.select._key !== optKey) {
      const keep = p.select.value;
      p.select.replaceChildren(...options.map((o) => h('option', { value: o }, o === '' ? 'auto (placement)' : o)));
      p.select.value = options.includes(keep) ? keep : '';
      p.select._key = optKey;
    }
    const blocked = Boolean(v.migration) || busy.has('migrate:' + v.name);
    p.button.disabled = blocked;
    p.select.disabled = Boolean(v.migration);
    setAttr(p.button, 'title', v.migration ? 'A migration of this VM is under way' : 'Live-migrate ' + v.name);
  }

  function migrateVm(vm, to) {
    act('migrate:' + vm, 'Migrate ' + vm, async () => {
      const body = { vm };
      if (to) body.to = to;
      const m = await api('POST', 'v1/migrations', body);
      notify('Queued ' + m.id + ': ' + vm + ' ' + m.source + ' → ' + m.destination + '.');
    });
  }

  // ---- migrations in progress and queue

  function renderMigrations() {
    if (!state.migrations) return;
    const byRequest = (a, b) => millis(a.requestedAt) - millis(b.requestedAt);
    const running = state.migrations.filter((m) => m.status === 'running').sort(byRequest);
    const queued = state.migrations.filter((m) => m.status === 'queued').sort(byRequest);
    reconcile($('#running-list'), running, (m) => m.id, createRunning, updateRunning);
    $('#running-empty').hidden = running.length > 0;
    reconcile($('#queue-table tbody'), queued.map((m, i) => ({ m, position: i + 1 })), (q) => q.m.id, createQueued, updateQueued);
    $('#queue-table').hidden = queued.length === 0;
    $('#queue-empty').hidden = queued.length > 0;
  }

  function abortButton(id) {
    const b = h('button', { type: 'button', class: 'danger', 'data-testid': 'abort-button' }, 'Abort');
    b.addEventListener('click', () => abortMigration(id, b.closest('[data-vm]').dataset.vm));
    return b;
  }

  function createRunning(m) {
    const p = {};
    p.title = h('div', { class: 'title' }, m.vm, h('span', { class: 'route' }, m.source + ' → ' + m.destination));
    p.origin = h('span', { class: 'badge', 'data-testid': 'migration-origin' });
    p.abort = abortButton(m.id);
    p.phases = h('div', { class: 'phases', 'data-testid': 'migration-phases' });
    p.progress = bar('progress-bar', 'Progress of ' + m.vm, 'progress');
    p.percent = h('span', { class: 'percent', 'data-testid': 'progress-percent' });
    p.detail = h('div', { class: 'detail', 'data-testid': 'progress-detail' });
    const el = h('article', { class: 'migration', 'data-testid': 'migration-running', 'data-id': m.id, 'data-vm': m.vm },
      h('div', {}, p.title), h('div', {}, p.origin, ' ', p.abort),
      p.phases,
      h('div', { class: 'progress-row' }, p.progress.el, p.percent),
      p.detail);
    el._p = p;
    return el;
  }

  function updateRunning(el, m) {
    const p = el._p;
    setBadge(p.origin, m.origin, '');
    const r = m.record || null;
    const pr = r && r.progress ? r.progress : null;
    const phase = pr ? pr.phase : 'preflight';
    setAttr(el, 'data-phase', phase);

    // Phase stepper (disk-mirror only when this migration copies disks).
    const seenPhases = r && r.phases ? Object.keys(r.phases) : [];
    const shown = PHASES.filter((x) => x !== 'disk-mirror' || seenPhases.includes(x) || phase === x);
    const current = shown.indexOf(phase);
    const stepKey = shown.join(',') + '@' + current;
    if (p.phases._key !== stepKey) {
      p.phases.replaceChildren(...shown.map((x, i) =>
        h('span', { class: i < current ? 'done' : i === current ? 'current' : '' }, x)));
      p.phases._key = stepKey;
    }

    const percent = pr ? Math.max(0, Math.min(100, pr.percent)) : 0;
    setBar(p.progress.fill, p.progress.el, percent / 100, 2, 2);
    setAttr(p.progress.el, 'data-percent', percent.toFixed(1));
    setText(p.percent, Math.floor(percent) + '%');

    const parts = [];
    if (r && r.state && r.state.name && r.state.name !== phase) parts.push(r.state.name);
    if (pr) {
      parts.push(pr.phase + (pr.pass ? ' pass ' + pr.pass : ''));
      parts.push(fmtBytes(pr.transferred) + ' sent');
      if (pr.total) parts.push(fmtBytes(pr.remaining) + ' left of ' + fmtBytes(pr.total));
      if (pr.throughput) parts.push(fmtRate(pr.throughput));
      if (pr.dirtyRate) parts.push('dirtying ' + fmtRate(pr.dirtyRate));
      const eta = durationMs(pr.eta);
      if (eta !== null) parts.push('ETA ' + fmtMs(eta));
      const dt = durationMs(pr.expectedDowntime);
      if (dt !== null) parts.push('expected pause ' + fmtMs(dt));
      if (pr.throttlePercent) parts.push('throttled ' + pr.throttlePercent + '%');
    } else {
      parts.push(m.reason || 'starting');
    }
    if (m.startedAt) parts.push('started ' + fmtAgo(m.startedAt));
    setText(p.detail, parts.join(' · '));
    const abortKey = 'abort:' + m.id;
    p.abort.disabled = busy.has(abortKey);
    setAttr(p.abort, 'title', 'Abort: the VM keeps running on ' + m.source + ' (refused after handover)');
  }

  function createQueued(q) {
    const p = {};
    p.position = h('td', { class: 'num' });
    p.route = h('td', {});
    p.origin = h('td', {});
    p.since = h('td', {});
    p.reason = h('td', { class: 'why', 'data-testid': 'queue-reason' });
    p.abort = abortButton(q.m.id);
    const el = h('tr', { 'data-testid': 'migration-queued', 'data-id': q.m.id, 'data-vm': q.m.vm },
      p.position, h('td', {}, h('strong', {}, q.m.vm)), p.route, p.origin, p.since, p.reason, h('td', {}, p.abort));
    el._p = p;
    return el;
  }

  function updateQueued(el, q) {
    const p = el._p;
    const m = q.m;
    setText(p.position, q.position);
    setText(p.route, m.source + ' → ' + m.destination);
    setText(p.origin, m.origin);
    setText(p.since, fmtAgo(m.requestedAt));
    setAttr(p.since, 'title', fmtTime(m.requestedAt));
    setText(p.reason, m.reason || 'waiting');
    p.abort.disabled = busy.has('abort:' + m.id);
  }

  function abortMigration(id, vm) {
    act('abort:' + id, 'Abort migration of ' + vm, async () => {
      const m = await api('POST', 'v1/migrations/' + encodeURIComponent(id) + '/abort');
      notify(vm + ': migration ' + m.id + ' is ' + m.status + (m.reason ? ' (' + m.reason + ')' : '') + '.');
    });
  }

  // ---- history

  function outageOf(m) {
    const r = m.record;
    if (!r) return { ms: null, kind: null };
    if (r.outageMs !== undefined && r.outageMs !== null) return { ms: r.outageMs, kind: 'outage' };
    if (r.downtimeMs !== undefined && r.downtimeMs !== null) return { ms: r.downtimeMs, kind: 'downtime' };
    return { ms: null, kind: null };
  }

  function durationOf(m) {
    if (m.record && m.record.durationMs !== undefined && m.record.durationMs !== null) return m.record.durationMs;
    return null;
  }

  function renderHistory() {
    if (!state.migrations) return;
    // Newest end first (the API lists by request time).
    const ended = (m) => millis(m.endedAt || m.requestedAt);
    const finished = state.migrations
      .filter((m) => !['queued', 'running'].includes(m.status))
      .sort((a, b) => ended(b) - ended(a));
    const rows = finished.slice(0, HISTORY_ROWS);
    reconcile($('#history-table tbody'), rows, (m) => m.id, createHistoryRow, updateHistoryRow);
    $('#history-table').hidden = rows.length === 0;
    $('#history-empty').hidden = rows.length > 0;
    renderChart(finished.slice(0, CHART_MARKS).reverse());
  }

  function createHistoryRow(m) {
    const p = {};
    p.result = h('span', { class: 'badge', 'data-testid': 'history-status' });
    const cells = ['ended', 'vm', 'route', null, 'origin', 'duration', 'downtime', 'outage', 'sent', 'note'];
    p.cells = {};
    const tds = cells.map((c) => {
      if (c === null) return h('td', {}, p.result);
      const numeric = ['duration', 'downtime', 'outage', 'sent'].includes(c);
      const td = h('td', { class: numeric ? 'num' : c === 'note' ? 'why' : null, 'data-testid': 'history-' + c });
      p.cells[c] = td;
      return td;
    });
    const el = h('tr', { 'data-testid': 'history-row', 'data-id': m.id, 'data-vm': m.vm }, ...tds);
    el._p = p;
    return el;
  }

  function updateHistoryRow(el, m) {
    const p = el._p;
    const c = p.cells;
    const r = m.record || {};
    setAttr(el, 'data-status', m.status);
    setText(c.ended, fmtTime(m.endedAt));
    setAttr(c.ended, 'title', m.endedAt || '');
    setText(c.vm, m.vm);
    setText(c.route, m.source + ' → ' + m.destination);
    setBadge(p.result, m.status, TONES[m.status]);
    setText(c.origin, m.origin);
    setText(c.duration, fmtMs(durationOf(m)));
    setText(c.downtime, r.downtimeMs === undefined ? '–' : fmtMs(r.downtimeMs));
    setText(c.outage, r.outageMs === undefined ? '–' : fmtMs(r.outageMs));
    setText(c.sent, r.bytesTransferred === undefined ? '–' : fmtBytes(r.bytesTransferred));
    setText(c.note, m.reason || (r.warnings && r.warnings.length ? r.warnings.join('; ') : ''));
  }

  /** Smallest of 1, 2, 2.5, 5 × 10^k at or above v. */
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const exp = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) {
      if (v <= m * exp * 1.0000001) return m * exp;
    }
    return 10 * exp;
  }

  function renderChart(items) {
    const box = $('#history-chart');
    const key = items.map((m) => m.id + ':' + m.status + ':' + durationOf(m) + ':' + outageOf(m).ms).join(',');
    if (box._key === key) return;
    box._key = key;
    setAttr(box, 'data-marks', items.length);

    const W = 760;
    const left = 58;
    const right = 12;
    const panelH = 90;
    const top1 = 26;
    const top2 = top1 + panelH + 34;
    const labelsY = top2 + panelH + 16;
    const H = labelsY + 28;
    const plotW = W - left - right;
    const band = plotW / Math.max(items.length, 10);
    const barW = Math.max(3, Math.min(26, band * 0.6));

    const durations = items.map(durationOf);
    const outages = items.map(outageOf);
    const maxDur = niceMax(Math.max(0, ...durations.filter((x) => x !== null)) / 1000);
    const maxOut = niceMax(Math.max(0, ...outages.map((o) => o.ms).filter((x) => x !== null)));

    const root = svg('svg', {
      viewBox: '0 0 ' + W + ' ' + H,
      role: 'img',
      'aria-label': 'Duration and outage of the last ' + items.length + ' finished migrations',
      'data-testid': 'history-svg',
    });

    function panel(y0, title, max, unit) {
      const g = svg('g', { class: 'panel' });
      g.append(svg('text', { x: left, y: y0 - 8, class: 'panel-title' }, title));
      for (const f of [0.5, 1]) {
        const y = y0 + panelH - f * panelH;
        g.append(svg('line', { x1: left, x2: W - right, y1: y, y2: y, class: 'grid' }));
        g.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, fmtAxis(max * f) + ' ' + unit));
      }
      g.append(svg('line', { x1: left, x2: W - right, y1: y0 + panelH, y2: y0 + panelH, class: 'axis' }));
      g.append(svg('line', { x1: left, x2: left, y1: y0, y2: y0 + panelH, class: 'axis' }));
      root.append(g);
    }
    panel(top1, 'Duration', maxDur, 's');
    panel(top2, 'Outage', maxOut, 'ms');

    if (items.length === 0) {
      root.append(svg('text', { x: left + plotW / 2, y: top1 + panelH + 20, 'text-anchor': 'middle' }, 'No finished migration yet'));
    }

    items.forEach((m, i) => {
      const cx = left + band * i + band / 2;
      const x = cx - barW / 2;
      const o = outages[i];
      const d = durations[i];
      const tip = m.vm + ' ' + m.source + ' → ' + m.destination + ', ' + m.status
        + (m.endedAt ? ' at ' + fmtTime(m.endedAt) : '')
        + '\nduration ' + fmtMs(d)
        + '\n' + (o.kind === 'outage' ? 'outage (probe) ' + fmtMs(o.ms)
          : o.kind === 'downtime' ? 'downtime (QEMU) ' + fmtMs(o.ms) : 'no outage measured');
      const g = svg('g', {
        class: 'mark ' + m.status,
        'data-testid': 'chart-mark',
        'data-id': m.id,
        'data-vm': m.vm,
        'data-status': m.status,
      }, svg('title', {}, tip));
      if (d !== null) {
        const hgt = Math.max(1, (d / 1000 / maxDur) * panelH);
        g.append(svg('rect', { x, y: top1 + panelH - hgt, width: barW, height: hgt, rx: 2, class: 'duration' }));
      } else {
        g.append(cross(cx, top1 + panelH - 6));
      }
      if (o.ms !== null) {
        const hgt = Math.max(1, (o.ms / maxOut) * panelH);
        g.append(svg('rect', { x, y: top2 + panelH - hgt, width: barW, height: hgt, rx: 2, class: o.kind }));
      } else {
        g.append(cross(cx, top2 + panelH - 6));
      }
      if (items.length <= 16) {
        g.append(svg('text', { x: cx, y: labelsY, 'text-anchor': 'middle' }, m.vm.length > 10 ? m.vm.slice(0, 9) + '…' : m.vm));
      }
      root.append(g);
    });

    // Legend.
    const legend = [['duration', 'duration'], ['outage', 'outage (probe)'], ['downtime', 'downtime (QEMU, no probe)'],
      ['failed', 'failed'], ['aborted', 'aborted / cancelled']];
    let lx = left;
    const ly = H - 8;
    for (const [cls, text] of legend) {
      const sw = cls === 'failed' ? svg('g', { class: 'failed' }, svg('rect', { x: lx, y: ly - 9, width: 10, height: 10, class: 'duration' }))
        : cls === 'aborted' ? svg('g', { class: 'aborted' }, svg('rect', { x: lx, y: ly - 9, width: 10, height: 10, class: 'duration' }))
          : svg('rect', { x: lx, y: ly - 9, width: 10, height: 10, class: cls });
      root.append(sw, svg('text', { x: lx + 14, y: ly }, text));
      lx += 26 + text.length * 6;
    }
    box.replaceChildren(root);
  }

  function cross(cx, cy) {
    return svg('path', { d: 'M' + (cx - 4) + ' ' + (cy - 4) + 'l8 8m0 -8l-8 8', class: 'nodata' });
  }

  function fmtAxis(v) {
    if (v >= 100) return v.toFixed(0);
    if (v >= 10) return v.toFixed(v % 1 ? 1 : 0);
    return String(Number(v.toPrecision(3)));
  }

  // ---- balancing

  const balanceForm = { dirty: false };

  function renderBalance() {
    const b = state.balance;
    if (!b) return;
    setBadge($('#balance-mode'), b.mode, TONES[b.mode]);
    setText($('#balance-aggr'), b.aggressiveness + ' of 5');
    setAttr($('#balance-aggr'), 'data-value', b.aggressiveness);
    setText($('#imbalance-before'), num3(b.imbalance));
    setText($('#imbalance-after'), num3(b.imbalanceAfter));
    setAttr($('#balance-at'), 'title', b.at);
    setText($('#balance-at'), fmtTime(b.at));

    const select = $('#balance-mode-select');
    const input = $('#balance-aggr-input');
    if (!balanceForm.dirty && document.activeElement !== select && document.activeElement !== input) {
      if (select.value !== b.mode) select.value = b.mode;
      if (input.value !== String(b.aggressiveness)) input.value = String(b.aggressiveness);
    }
    $('#balance-save').disabled = busy.has('balance:settings');

    const recs = b.recommendations || [];
    reconcile($('#recommendation-table tbody'), recs, (r) => r.vm + ':' + r.from + ':' + r.to, createRecommendation, updateRecommendation);
    $('#recommendation-table').hidden = recs.length === 0;
    $('#recommendations-empty').hidden = recs.length > 0;
    const applyAll = $('#apply-all');
    applyAll.disabled = recs.length === 0 || b.mode === 'off' || busy.has('balance:all');
    setText(applyAll, recs.length > 1 ? 'Apply all ' + recs.length : 'Apply all');

    const notes = b.notes || [];
    reconcile($('#balance-notes'), notes.map((n, i) => ({ n, i })), (x) => x.i + ':' + x.n,
      (x) => h('li', { 'data-testid': 'balance-note' }, x.n), () => {});
  }

  function createRecommendation(r) {
    const p = {};
    p.gain = h('td', { class: 'num', 'data-testid': 'recommendation-gain' });
    p.why = h('td', { class: 'why', 'data-testid': 'recommendation-reason' });
    p.apply = h('button', { type: 'button', 'data-testid': 'apply-recommendation' }, 'Apply');
    const el = h('tr', { 'data-testid': 'recommendation', 'data-vm': r.vm },
      h('td', {}, h('strong', {}, r.vm)), h('td', {}, r.from + ' → ' + r.to), p.gain, p.why, h('td', {}, p.apply));
    p.apply.addEventListener('click', () => applyBalance([r.vm], 'balance:' + r.vm, 'Apply the move of ' + r.vm));
    el._p = p;
    return el;
  }

  function updateRecommendation(el, r) {
    const p = el._p;
    setText(p.gain, num3(r.benefit));
    setAttr(p.gain, 'title', 'imbalance reduction ' + num3(r.benefit) + ', estimated cost ' + num3(r.cost));
    setText(p.why, r.reason);
    p.apply.disabled = (state.balance && state.balance.mode === 'off') || busy.has('balance:' + r.vm) || busy.has('balance:all');
  }

  function applyBalance(vms, key, what) {
    act(key, what, async () => {
      const queued = await api('POST', 'v1/balance/apply', { vms });
      notify('Balancing: queued ' + queued.length + ' migration' + (queued.length === 1 ? '' : 's')
        + (queued.length ? ' (' + queued.map((m) => m.vm + ' → ' + m.destination).join(', ') + ')' : '') + '.');
    });
  }

  function saveBalanceSettings() {
    const mode = $('#balance-mode-select').value;
    const raw = $('#balance-aggr-input').value.trim();
    const aggressiveness = raw === '' ? null : Number(raw);
    act('balance:settings', 'Save balancing settings', async () => {
      const view = await api('PUT', 'v1/balance/settings', { mode, aggressiveness });
      balanceForm.dirty = false;
      state.balance = view;
      notify('Balancing: mode ' + view.mode + ', aggressiveness ' + view.aggressiveness + '.');
    });
  }

  // ---- events

  function renderEvents() {
    if (!state.events) return;
    const events = state.events.slice(0, EVENTS_SHOWN);
    const counts = new Map();
    const keyed = events.map((e) => {
      const base = e.at + '|' + e.kind + '|' + e.subject + '|' + e.message;
      const n = (counts.get(base) || 0) + 1;
      counts.set(base, n);
      return { e, key: base + '|' + n };
    });
    reconcile($('#event-list'), keyed, (x) => x.key, createEvent, () => {});
    $('#events-empty').hidden = events.length > 0;
  }

  function eventTone(kind) {
    if (/fail|unreachable|incomplete|stuck|error/.test(kind)) return 'bad';
    if (/abort|cancel|skipped/.test(kind)) return 'warn';
    if (/completed|entered|exited|added|up$/.test(kind)) return 'ok';
    if (/maintenance/.test(kind)) return 'info';
    return 'accent';
  }

  function createEvent(x) {
    const e = x.e;
    return h('li', { 'data-testid': 'event', 'data-kind': e.kind },
      h('span', { class: 'when', title: e.at }, fmtTime(e.at)),
      h('span', { class: 'what' }, h('span', { class: 'badge ' + eventTone(e.kind) }, e.kind),
        h('span', { class: 'subject' }, e.subject)),
      h('span', { class: 'text' }, e.message));
  }

  // ------------------------------------------------------------------ start

  function init() {
    initLogin();
    $('#balance-mode-select').addEventListener('change', () => { balanceForm.dirty = true; });
    $('#balance-aggr-input').addEventListener('input', () => { balanceForm.dirty = true; });
    $('#balance-save').addEventListener('click', saveBalanceSettings);
    $('#apply-all').addEventListener('click', () => applyBalance([], 'balance:all', 'Apply all recommendations'));
    tick();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
