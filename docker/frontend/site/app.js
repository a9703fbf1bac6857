/*
 * The frontend's one script. It asks /api/status every second which API process answers,
 * shows since when, highlights when a new process or task takes over (what a chaos experiment
 * makes happen), shows "API unavailable" while nothing answers, and lists /api/posts.
 *
 * No framework and no CDN: the page must work when nothing but the platform is reachable.
 * The state logic is pure functions (reduce, parseStatus, format*); outside a browser they are
 * exported through CommonJS so the tests can drive them.
 */
'use strict';

(function () {
  const POLL_INTERVAL_MS = 1000;
  const REQUEST_TIMEOUT_MS = 2000;
  const MAX_EVENTS = 20;

  /** The state before the first answer. */
  function initialState() {
    return { phase: 'connecting', current: null, lastOkAt: null, downSince: null, error: null, change: null, events: [] };
  }

  /** Validates a /api/status body; throws on anything else (e.g. an HTML error page). */
  function parseStatus(body) {
    if (!body || typeof body !== 'object' || typeof body.instance !== 'string' || body.instance === '') {
      throw new Error('unexpected answer from /api/status');
    }
    const task = body.task && typeof body.task === 'object' ? body.task : {};
    return {
      instance: body.instance,
      version: String(body.version || ''),
      hostname: String(body.hostname || ''),
      taskId: typeof task.id === 'string' ? task.id : '',
      taskArn: typeof task.arn === 'string' ? task.arn : '',
      startedAt: String(body.startedAt || ''),
      uptimeSeconds: Number(body.uptimeSeconds) || 0,
      draining: body.draining === true,
    };
  }

  /** "4s", "2m 05s", "3h 02m 05s", "2d 03h 02m" */
  function formatUptime(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const two = (n) => String(n).padStart(2, '0');
    if (d > 0) return d + 'd ' + two(h) + 'h ' + two(m) + 'm';
    if (h > 0) return h + 'h ' + two(m) + 'm ' + two(sec) + 's';
    if (m > 0) return m + 'm ' + two(sec) + 's';
    return sec + 's';
  }

  /** Local wall-clock time, HH:MM:SS. */
  function formatTime(date) {
    const two = (n) => String(n).padStart(2, '0');
    return two(date.getHours()) + ':' + two(date.getMinutes()) + ':' + two(date.getSeconds());
  }

  /** A duration in milliseconds as seconds with one decimal: "12.3 s". */
  function formatSeconds(ms) {
    return (Math.max(0, ms) / 1000).toFixed(1) + ' s';
  }

  /** A short form of an id for display. */
  function shortId(id) {
    return id && id.length > 12 ? id.slice(0, 12) + '…' : id || '–';
  }

  function withEvent(events, event) {
    return [event].concat(events).slice(0, MAX_EVENTS);
  }

  /**
   * The state after one poll. result is { ok: true, status } (status from parseStatus) or
   * { ok: false, error }; now is when the poll ended.
   */
  function reduce(state, result, now) {
    if (!result.ok) {
      if (state.phase === 'down') {
        return Object.assign({}, state, { error: result.error });
      }
      return Object.assign({}, state, {
        phase: 'down',
        downSince: now,
        error: result.error,
        events: withEvent(state.events, { at: now, kind: 'down', text: 'API unavailable: ' + result.error }),
      });
    }

    const status = result.status;
    const previous = state.current;
    const next = Object.assign({}, state, { phase: 'up', current: status, lastOkAt: now, downSince: null, error: null });
    const outage = state.phase === 'down' && state.downSince ? ' after ' + formatSeconds(now - state.downSince) + ' unavailable' : '';

    if (!previous) {
      next.events = withEvent(state.events, { at: now, kind: 'up', text: 'API instance ' + shortId(status.instance) + ' answered' + outage });
    } else if (previous.instance !== status.instance) {
      const sameTask = previous.taskId !== '' && previous.taskId === status.taskId;
      const text = (sameTask ? 'New API process (same task, restarted) answered at ' : 'New API task answered at ') + formatTime(now) + outage;
      next.change = { at: now, text: text, from: previous.instance, to: status.instance };
      next.events = withEvent(state.events, { at: now, kind: 'change', text: text + ' (instance ' + shortId(status.instance) + ')' });
    } else if (outage) {
      next.events = withEvent(state.events, { at: now, kind: 'up', text: 'Same API instance answered again' + outage });
    }
    return next;
  }

  /** The text of the state line. */
  function describe(state, now) {
    switch (state.phase) {
      case 'connecting':
        return 'Connecting…';
      case 'down':
        return 'API unavailable for ' + formatSeconds(now - state.downSince) + ' (' + state.error + ')';
      case 'up':
        return state.current.draining ? 'API answers, draining (about to stop)' : 'API answers';
      default:
        return state.phase;
    }
  }

  /** GETs path as JSON, failing on a non-2xx status or after REQUEST_TIMEOUT_MS. */
  async function getJSON(path) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(path, { cache: 'no-store', signal: controller.signal, headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return await response.json();
    } catch (err) {
      if (err && err.name === 'AbortError') throw new Error('no answer within ' + REQUEST_TIMEOUT_MS / 1000 + ' s');
      if (err instanceof TypeError) throw new Error('network error');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  function render(state, now) {
    const card = document.getElementById('api');
    card.dataset.phase = state.phase;
    setText('api-state', describe(state, now));

    const s = state.current;
    if (s) {
      setText('api-task', s.taskArn || s.taskId || 'unknown');
      setText('api-instance', s.instance);
      setText('api-host', s.hostname);
      setText('api-version', s.version);
      const since = new Date(s.startedAt);
      setText('api-since', isNaN(since.getTime()) ? s.startedAt : since.toLocaleString());
      setText('api-uptime', formatUptime(s.uptimeSeconds));
      setText('api-checked', state.lastOkAt ? formatTime(state.lastOkAt) : '–');
    }

    const change = document.getElementById('api-change');
    if (state.change) {
      if (change.dataset.to !== state.change.to) {
        // Re-inserting the node restarts the highlight animation for each new instance.
        change.dataset.to = state.change.to;
        change.textContent = state.change.text;
        change.hidden = false;
        change.replaceWith(change.cloneNode(true));
      }
    }

    const list = document.getElementById('events');
    list.replaceChildren(...state.events.map((e) => {
      const li = document.createElement('li');
      li.className = e.kind;
      li.textContent = formatTime(e.at) + ' ' + e.text;
      return li;
    }));
  }

  function renderPosts(posts) {
    const list = document.getElementById('posts');
    list.replaceChildren(...posts.map((p) => {
      const li = document.createElement('li');
      const title = document.createElement('strong');
      title.textContent = p.title;
      const date = document.createElement('time');
      date.textContent = ' ' + p.publishedAt;
      date.dateTime = p.publishedAt;
      const summary = document.createElement('p');
      summary.textContent = p.summary;
      li.append(title, date, summary);
      return li;
    }));
  }

  function start() {
    let state = initialState();
    let postsLoaded = false;

    async function loadPosts() {
      try {
        const body = await getJSON('/api/posts');
        renderPosts(Array.isArray(body.posts) ? body.posts : []);
        setText('posts-state', '');
        postsLoaded = true;
      } catch (err) {
        setText('posts-state', 'Posts unavailable (' + err.message + '); retrying when the API answers.');
      }
    }

    async function poll() {
      let result;
      try {
        result = { ok: true, status: parseStatus(await getJSON('/api/status')) };
      } catch (err) {
        result = { ok: false, error: err.message };
      }
      const now = new Date();
      state = reduce(state, result, now);
      render(state, now);
      if (!postsLoaded) {
        if (result.ok) loadPosts();
        else setText('posts-state', 'Waiting for the API…');
      }
      // Scheduled after the answer, so a slow API never has two polls in flight.
      setTimeout(poll, POLL_INTERVAL_MS);
    }

    poll();
  }

  const api = { initialState, parseStatus, reduce, describe, formatUptime, formatTime, formatSeconds, shortId };
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    start();
  }
})();
