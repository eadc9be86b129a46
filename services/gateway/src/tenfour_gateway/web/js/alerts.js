// What a live event looks like to a person: urgent requests get a pinned banner, a sound and a
// browser notification; everything else a quiet line in the status area. Texts come from the
// notifications service and are neutral; the lock screen only ever sees those.
import { t } from './i18n.js';
import { h, clear, errorText } from './dom.js';
import { registration } from './push.js';
import { when } from './time.js';
import * as api from './api.js';

let audio = null;

// Browsers only let a page make sound after the person interacted with it: the first click or
// key press on any page prepares the audio, so a later alert can beep without one.
function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  if (!audio) { try { audio = new Context(); } catch { return; } }
  if (audio.state === 'suspended') audio.resume().catch(() => {});
}
for (const name of ['pointerdown', 'keydown']) document.addEventListener(name, unlockAudio, { capture: true });

// Three short rising tones (~0.9 s): audible across a room, not alarming. True if it played.
function beep() {
  unlockAudio();
  if (!audio || audio.state !== 'running') return false;
  const start = audio.currentTime + 0.02;
  [660, 880, 1100].forEach((frequency, i) => {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = 'sine';
    tone.frequency.value = frequency;
    const at = start + i * 0.3;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.3, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
    tone.connect(gain).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.27);
  });
  return true;
}

// A system notification, through the service worker when there is one (it then also opens the
// app on a click even after the tab was closed), else the page's own Notification.
async function notify(info) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return false;
  const options = { body: info.body, tag: info.tag, renotify: true, requireInteraction: true, icon: '/static/icon.svg', data: { url: info.url } };
  const reg = await registration();
  if (reg) {
    await reg.showNotification(info.title, options);
    return true;
  }
  const shown = new Notification(info.title, options);
  shown.onclick = () => { window.focus(); location.hash = hashOf(info.url); shown.close(); };
  return true;
}

function safePath(url) {
  try {
    const parsed = new URL(url || '/', location.origin);
    return parsed.origin === location.origin ? parsed.pathname + parsed.search + parsed.hash : '/';
  } catch { return '/'; }
}

// Inside the open app a link is a route ("/urgent/r1" -> "#/urgent/r1"): no reload.
function hashOf(path) {
  const hashed = path.indexOf('#');
  if (hashed >= 0) return path.slice(hashed); // already a route ("/#/call/a1")
  return `#${path.split('?')[0].replace(/\/+$/, '') || '/'}`;
}

// Notifications about a session, worded here from their kind and start (in the reader's
// language and the browser's zone) rather than in the service's English and UTC; as neutral
// as the service's words. Other kinds keep the service's text.
const WORDED = {
  reminder: (at) => [t('Tenfour: reminder'), t('Your session starts {0}.', [at])],
  appointment_booked: (at) => [t('Tenfour: update'), t('A new session was booked for {0}.', [at])],
  appointment_cancelled: (at) => [t('Tenfour: update'), t('The session on {0} was cancelled.', [at])],
  appointment_moved: (at) => [t('Tenfour: update'), t('A session moved to {0}.', [at])],
  appointment_conflict: (at) => [t('Tenfour: please check'), t('A schedule change clashes with your session on {0}. Open Tenfour to pick another time.', [at])],
  waiting_room: (at) => [t('Tenfour: someone is waiting'), t('Someone is waiting for the session at {0}.', [at])],
  seat_freed: (at) => [t('Tenfour: a place opened up'), t('A place opened up in the group on {0}.', [at])],
};

// The fields of a live event that pages use (see the notifications proto's LiveEvent).
export function eventInfo(event) {
  const id = event.request_id || event.appointment_id || event.event_id || '';
  const [title, body] = WORDED[event.kind] && event.starts_at ? WORDED[event.kind](when(event.starts_at)) : [event.title, event.body];
  return {
    kind: event.kind || '',
    urgent: Boolean(event.urgent),
    title: title || t('Tenfour'),
    body: body || t('You have a new update.'),
    url: safePath(event.link || event.url),
    appointmentId: event.appointment_id || '',
    requestId: event.request_id || '',
    tag: `tenfour-${id || 'update'}`,
  };
}

const pinned = new Map(); // tag -> banner element
const acceptedHere = new Set(); // urgent requests this page accepted: no second alarm for them

function banner(info, sound, notified) {
  const box = document.getElementById('alerts');
  pinned.get(info.tag)?.remove();
  const dismiss = h('button', { type: 'button', class: 'secondary', text: t('Dismiss') });
  const offer = info.kind === 'urgent_offered' && info.requestId;
  const said = h('p', { class: 'muted', 'aria-live': 'polite' });
  const actions = offer
    ? [h('button', { type: 'button', class: 'accept', text: t('Accept') }), h('button', { type: 'button', class: 'secondary decline', text: t('Decline') })]
    : [h('a', { class: 'button', href: hashOf(info.url), text: t('Open') }), dismiss];
  const item = h('div', { class: 'alert urgent', role: 'alert', dataset: { tag: info.tag, kind: info.kind, requestId: info.requestId, sound: sound ? 'played' : 'blocked', notified: notified ? 'yes' : 'no' } },
    h('p', {}, h('strong', { text: info.title })),
    h('p', { text: info.body }),
    sound ? null : h('p', { class: 'muted', text: t('Sound is off until you click anywhere on this page once.') }),
    said,
    h('div', { class: 'actions' }, ...actions));
  const done = () => { item.remove(); pinned.delete(info.tag); };
  dismiss.addEventListener('click', done);
  if (offer) {
    // Accept: the first provider to accept gets the request; the session opens at once.
    item.querySelector('.accept').addEventListener('click', async (event) => {
      event.target.disabled = true;
      acceptedHere.add(info.requestId);
      try {
        const reply = await api.call('scheduling', 'AcceptUrgentRequest', { request_id: info.requestId });
        done();
        location.hash = `#/call/${encodeURIComponent(reply.appointment.appointment_id)}`;
      } catch (error) {
        acceptedHere.delete(info.requestId);
        said.textContent = errorText(error);
        event.target.disabled = false;
      }
    });
    item.querySelector('.decline').addEventListener('click', async () => {
      try { await api.call('scheduling', 'DeclineUrgentRequest', { request_id: info.requestId }); done(); } catch (error) { said.textContent = errorText(error); }
    });
    pinned.set(info.tag, item);
    box.prepend(item);
    return;
  }
  item.querySelector('a').addEventListener('click', () => { item.remove(); pinned.delete(info.tag); });
  pinned.set(info.tag, item);
  box.prepend(item); // the newest urgent request on top
}

const seen = new Set(); // notification ids already alerted in this page

export async function alertFor(event) {
  if (event.notification_id) {
    if (seen.has(event.notification_id)) return;
    seen.add(event.notification_id);
  }
  const info = eventInfo(event);
  // The provider who accepted is already opening that room: no second alarm for it.
  if (info.kind !== 'urgent_offered' && acceptedHere.has(info.requestId)) return;
  if (info.appointmentId && location.hash === `#/call/${encodeURIComponent(info.appointmentId)}`) return;
  if (!info.urgent) {
    const status = document.getElementById('live-news');
    if (status) clear(status).append(h('span', { text: `${info.title}: ${info.body}` }));
    return;
  }
  const sound = beep();
  let notified = false;
  try { notified = await notify(info); } catch { notified = false; }
  banner(info, sound, notified);
}

// An urgent request that was answered or withdrawn: its banner goes.
export function clearAlert(event) {
  const info = eventInfo(event);
  pinned.get(info.tag)?.remove();
  pinned.delete(info.tag);
}
