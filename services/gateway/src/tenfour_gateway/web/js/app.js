// The whole app: a hash router over plain ES modules, no build step.
import { h, clear, failure, setStatus } from './dom.js';
import * as api from './api.js';
import * as auth from './views/auth.js';
import * as officer from './views/officer.js';
import * as clashes from './views/conflicts.js';
import * as provider from './views/provider.js';
import { upcoming } from './views/upcoming.js';
import * as coordinator from './views/coordinator.js';
import * as check from './views/check.js';
import * as call from './views/session.js';
import { offerGroup } from './views/groups.js';
import * as reach from './views/notifications.js';
import * as outbox from './views/outbox.js';
import * as live from './live.js';
import { alertFor, clearAlert } from './alerts.js';
import { registration, supported as workerSupported } from './push.js';
import * as audit from './views/audit.js';
import * as training from './views/training.js';

const OFFICER = ['officer', 'peer_supporter'];
const PROVIDER = ['therapist', 'peer_supporter'];
const PARTICIPANT = ['officer', 'therapist', 'peer_supporter'];
const ADMIN = ['agency_admin', 'system_admin'];
const ANYONE = null;
const SIGNED_OUT = 'signed_out';

// Titles stay neutral: someone may be looking over your shoulder.
const ROUTES = {
  '': { title: 'Home', roles: ANYONE, view: home },
  signin: { title: 'Sign in', roles: SIGNED_OUT, view: auth.signIn },
  enrol: { title: 'Join with an agency code', roles: SIGNED_OUT, view: auth.enrol },
  account: { title: 'Account', roles: ANYONE, view: auth.account, signedIn: true },
  rotation: { title: 'My shifts', roles: OFFICER, view: officer.rotation, menu: 'My shifts' },
  find: { title: 'Find a time', roles: OFFICER, view: officer.findSlots, menu: 'Find a time' },
  appointments: { title: 'Appointments', roles: PARTICIPANT, view: officer.appointments, menu: 'Appointments' },
  feed: { title: 'Calendar link', roles: OFFICER, view: officer.calendarFeed },
  conflicts: { title: 'Schedule clashes', roles: OFFICER, view: clashes.conflicts },
  now: { title: 'Talk to someone now', roles: OFFICER, view: officer.urgent, menu: 'Talk now' },
  hours: { title: 'Weekly hours', roles: PROVIDER, view: provider.hours, menu: 'Hours' },
  timeoff: { title: 'Days off and changes', roles: PROVIDER, view: provider.timeOff, menu: 'Days off' },
  import: { title: 'Import calendar', roles: PROVIDER, view: provider.importCalendar },
  upcoming: { title: 'Upcoming', roles: PROVIDER, view: upcoming, menu: 'Upcoming' },
  groups: { title: 'Offer a group', roles: PROVIDER, view: offerGroup, menu: 'Groups' },
  codes: { title: 'Enrolment codes', roles: ADMIN, view: coordinator.codes, menu: 'Codes' },
  fatigue: { title: 'Rest rules', roles: ['agency_admin'], view: coordinator.fatigue, menu: 'Rest rules' },
  outcomes: { title: 'Program numbers', roles: ['agency_admin'], view: coordinator.outcomes, menu: 'Numbers' },
  training: { title: 'Peer training', roles: ['agency_admin'], view: training.training, menu: 'Training' },
  readiness: { title: 'My training', roles: ['peer_supporter'], view: training.readiness, menu: 'My training' },
  admin: { title: 'Administration', roles: ['system_admin'], view: coordinator.administration, menu: 'Admin' },
  audit: { title: 'Access audit', roles: ['system_admin'], view: audit.accessAudit, menu: 'Audit' },
  check: { title: 'Camera and network check', roles: PARTICIPANT, view: check.precall, menu: 'Check camera' },
  call: { title: 'Video call', roles: PARTICIPANT, view: call.session },
  urgent: { title: 'Urgent request', roles: PARTICIPANT, view: urgentLink },
  notifications: { title: 'Notifications', roles: ANYONE, view: reach.settings, signedIn: true },
  'confirm-email': { title: 'Confirm your e-mail address', roles: ANYONE, view: reach.confirmEmail },
  outbox: { title: 'Outbox (developers)', roles: ANYONE, view: outbox.mails, signedIn: true, dev: true },
};

const ctx = { session: { signed_in: false }, navigate, reloadSession, cleanup: null };

function allowed(route) {
  if (route.dev && !ctx.session.dev_outbox) return false;
  if (route.roles === SIGNED_OUT) return !ctx.session.signed_in;
  if (route.signedIn && !ctx.session.signed_in) return false;
  if (route.roles === ANYONE) return true;
  return ctx.session.signed_in && route.roles.includes(ctx.session.role);
}

export function navigate(path) {
  if (location.hash === `#/${path}`) render();
  else location.hash = `#/${path}`;
}

async function reloadSession() {
  try {
    ctx.session = await api.session();
  } catch (error) {
    ctx.session = { signed_in: false };
    setStatus(error.message, 'error');
  }
  renderNav();
  if (ctx.session.signed_in) {
    live.start();
    if (workerSupported()) registration(); // so notifications open the app on a click
  } else {
    live.stop();
  }
}

function renderNav() {
  const nav = clear(document.getElementById('nav'));
  const [name] = location.hash.replace(/^#\/?/, '').split('/');
  const link = (key, text) => h('a', { href: `#/${key}`, 'aria-current': key === name ? 'page' : undefined, text });
  if (!ctx.session.signed_in) {
    nav.append(link('signin', 'Sign in'), link('enrol', 'Join with a code'));
    return;
  }
  for (const [key, route] of Object.entries(ROUTES)) {
    if (route.menu && allowed(route)) nav.append(link(key, route.menu));
  }
  nav.append(link('notifications', 'Notifications'), link('account', 'Account'));
  if (ctx.session.dev_outbox) nav.append(link('outbox', 'Outbox'));
}

// A link from a notification: the request for a provider is on Upcoming, for an officer on "Talk now".
function urgentLink() {
  navigate(PROVIDER.includes(ctx.session.role) ? 'upcoming' : 'now');
}

// Links in notifications and mails name paths (/appointments/<id>, /notifications/confirm-email?token=…);
// the router works on the hash, so the path becomes the hash once, and the token leaves the address bar.
function pathToHash() {
  const path = location.pathname.replace(/\/+$/, '');
  if (!path) return;
  const [, name, ...rest] = path.split('/');
  let hash = `#/${[name, ...rest].join('/')}`;
  if (path === '/notifications/confirm-email') {
    const token = new URLSearchParams(location.search).get('token') || '';
    hash = `#/confirm-email/${encodeURIComponent(token)}`;
  }
  history.replaceState(null, '', `/${hash}`);
}

async function render() {
  if (ctx.cleanup) { try { await ctx.cleanup(); } catch { /* leaving anyway */ } ctx.cleanup = null; }
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let route = ROUTES[name] || ROUTES[''];
  if (!allowed(route)) route = ctx.session.signed_in ? ROUTES[''] : ROUTES.signin;
  document.title = route.title === 'Home' ? 'Tenfour' : `${route.title} · Tenfour`;
  renderNav();
  setStatus('');
  const main = clear(document.getElementById('main'));
  main.append(h('h1', { text: route.title === 'Home' ? 'Tenfour' : route.title }));
  try {
    await route.view(main, params, ctx);
  } catch (error) {
    main.append(failure(error));
  }
  main.focus();
}

function tiles(items) {
  return h('ul', { class: 'tiles' }, items.map(([key, title, text]) =>
    h('li', {}, h('a', { href: `#/${key}` }, h('strong', { text: title }), h('span', { class: 'muted', text })))));
}

async function home(main) {
  const s = ctx.session;
  if (!s.signed_in) {
    main.append(
      h('p', { text: 'Private video sessions that fit around your shifts. Your agency never sees who signs up.' }),
      tiles([
        ['signin', 'Sign in', 'With your username and password.'],
        ['enrol', 'Join with an agency code', 'No name or e-mail needed: pick a username and a password.'],
      ]));
    return;
  }
  const items = [];
  if (OFFICER.includes(s.role)) {
    items.push(['find', 'Find a time', 'Times that fit around your shifts and sleep.'],
      ['appointments', 'My appointments', 'Join, move or cancel.'],
      ['rotation', 'My shifts', 'Enter your rotation once.'],
      ['check', 'Check camera and network', 'Takes under a minute.'],
      ['now', 'Talk to someone now', 'If you need someone today.'],
      ['feed', 'Calendar link', 'See appointments in your own calendar.']);
  }
  if (PROVIDER.includes(s.role)) {
    items.push(['upcoming', 'Upcoming sessions', 'Join and let people in.'],
      ['hours', 'Weekly hours', 'When you can be booked.'],
      ['timeoff', 'Days off and changes', 'Time off and one-off changes.'],
      ['import', 'Import calendar', 'Block busy times from your own calendar.']);
    if (s.role === 'therapist') items.push(['check', 'Check camera and network', 'Takes under a minute.']);
  }
  if (s.role === 'agency_admin') {
    items.push(['codes', 'Enrolment codes', 'Codes officers join with.'], ['fatigue', 'Rest rules', 'When sessions may be booked around shifts.'],
      ['outcomes', 'Program numbers', 'De-identified totals only.']);
  }
  if (s.role === 'system_admin') {
    items.push(['admin', 'Administration', 'Agencies, coordinators, therapists.'], ['codes', 'Enrolment codes', 'For any agency.'],
      ['audit', 'Access audit', 'Who viewed, joined or changed sessions; check the trail.']);
  }
  main.append(tiles(items));
}

api.whenSignedOut(async () => {
  await reloadSession();
  if (!ctx.session.signed_in) { setStatus('Your session ended. Please sign in again.', 'warn'); navigate('signin'); }
});

// Nothing is replayed by the stream: after a drop, urgent alerts from the last minutes that
// were missed meanwhile still get their banner (once).
let streams = 0;
async function catchUp() {
  try {
    const recent = (await api.call('notifications', 'ListNotifications', { limit: 10 })).notifications || [];
    const since = Date.now() - 5 * 60000;
    for (const n of recent.reverse()) {
      if (n.urgent && !n.read && Date.parse(n.created_at) > since) alertFor(n);
    }
  } catch { /* the live stream keeps working without it */ }
}
live.subscribe((message) => {
  if (message.withdrawn) clearAlert(message.withdrawn);
  else if (message.notification) alertFor(message.notification);
  else if (message.ready && streams++ > 0) catchUp();
});
live.onState((state) => {
  const el = document.getElementById('live-state');
  if (el) el.textContent = state === 'reconnecting' ? 'Live updates paused. Reconnecting…' : '';
});

window.addEventListener('hashchange', render);
pathToHash();
reloadSession().then(render);
