// The live connection: one WebSocket per signed-in tab to /api/live, fed by the notifications
// service's stream. Pages subscribe while they are shown and refresh what changed; a dropped
// connection comes back with exponential backoff and jitter (after a token refresh if needed).
import { refresh } from './api.js';

const listeners = new Set();
const stateListeners = new Set();
let socket = null;
let wanted = false;
let attempt = 0;
let timer = null;
let openedAt = 0;
let state = 'off';

// Close codes from the gateway: 4401 refresh then retry; 4403/4400 stop (not for this user).
const FATAL = new Set([4400, 4403]);

function setState(next) {
  if (state === next) return;
  state = next;
  for (const fn of stateListeners) fn(state);
}

function url() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/live`;
}

function connect() {
  timer = null;
  if (!wanted) return;
  const ws = new WebSocket(url());
  socket = ws;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    openedAt = Date.now();
    setState('connected');
  };
  ws.onmessage = (received) => {
    let frame;
    try { frame = JSON.parse(received.data); } catch { return; }
    // Listeners get {notification} | {withdrawn} | {ready}; ready means "reload what you show".
    let message = null;
    if (frame.event) message = { notification: frame.event };
    else if (frame.withdrawn) message = { withdrawn: frame.withdrawn };
    else if (frame.ready) message = { ready: true };
    if (!message) return;
    for (const fn of [...listeners]) { try { fn(message); } catch (error) { console.error(error); } }
  };
  ws.onclose = async (event) => {
    if (socket === ws) socket = null;
    if (!wanted) return;
    if (FATAL.has(event.code)) { wanted = false; setState('off'); return; }
    setState('reconnecting');
    // A connection that stayed up a while starts the backoff again from the beginning.
    attempt = opened && Date.now() - openedAt > 30000 ? 1 : attempt + 1;
    // A refused handshake (e.g. an expired token) shows up as 1006 before opening.
    if (event.code === 4401 || (!opened && attempt > 1)) await refresh();
    const delay = Math.min(30000, 500 * 2 ** Math.min(attempt - 1, 6)) * (0.5 + Math.random() / 2);
    if (wanted && !timer) timer = setTimeout(connect, delay);
  };
}

export function start() {
  if (wanted) return;
  wanted = true;
  attempt = 0;
  setState('connecting');
  connect();
}

export function stop() {
  wanted = false;
  clearTimeout(timer);
  timer = null;
  const ws = socket;
  socket = null;
  if (ws) { try { ws.close(1000, 'bye'); } catch { /* already closed */ } }
  setState('off');
}

// Back on the network: try at once instead of waiting out the backoff.
window.addEventListener('online', () => {
  if (wanted && !socket) { clearTimeout(timer); timer = null; attempt = 0; connect(); }
});

export function currentState() { return state; }

// fn(message) for every live message; returns the function that unsubscribes.
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}
