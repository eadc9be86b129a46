// The whole app: a hash router over plain ES modules, no build step.
import { t, language, LANGUAGES, setLanguage } from './i18n.js';
import { h, clear, failure, setStatus, errorText } from './dom.js';
import * as api from './api.js';
import * as auth from './views/auth.js';
import { rotation } from './views/rotation.js';
import { appointments, calendarFeed } from './views/appointments.js';
import { urgent } from './views/urgent.js';
import * as findTime from './views/find_time.js';
import * as clashes from './views/conflicts.js';
import * as provider from './views/provider.js';
import { hours } from './views/hours.js';
import { profile } from './views/profile.js';
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
import * as licences from './views/licences.js';
import { preferences } from './views/preferences.js';
import { waitlist } from './views/waitlist.js';
import * as handoff from './views/referrals.js';
import * as resources from './views/resources.js';
import * as campaigns from './views/campaigns.js';
import * as trainingSessions from './views/training_sessions.js';

const OFFICER = ['officer', 'peer_supporter'];
const PROVIDER = ['therapist', 'peer_supporter'];
const PARTICIPANT = ['officer', 'therapist', 'peer_supporter'];
const ADMIN = ['agency_admin', 'system_admin'];
const ANYONE = null;
const SIGNED_OUT = 'signed_out';

// Titles stay neutral: someone may be looking over your shoulder.
const ROUTES = {
  '': { title: t('Home'), roles: ANYONE, view: home },
  signin: { title: t('Sign in'), roles: SIGNED_OUT, view: auth.signIn },
  enrol: { title: t('Join with an agency code'), roles: SIGNED_OUT, view: auth.enrol },
  account: { title: t('Account'), roles: ANYONE, view: auth.account, signedIn: true },
  rotation: { title: t('My shifts'), roles: OFFICER, view: rotation, menu: t('My shifts') },
  find: { title: t('Find a time'), roles: OFFICER, view: findTime.findSlots, menu: t('Find a time') },
  appointments: { title: t('Appointments'), roles: PARTICIPANT, view: appointments, menu: t('Appointments') },
  feed: { title: t('Calendar link'), roles: OFFICER, view: calendarFeed },
  resources: { title: t('Resources'), roles: OFFICER, view: resources.resources, menu: t('Resources') },
  'agency-resources': { title: t('Resources page'), roles: ['agency_admin'], view: resources.manage, menu: t('Resources') },
  referrals: { title: t('Referrals'), roles: ['officer'], view: handoff.referrals, menu: t('Referrals') },
  refer: { title: t('Refer to a clinician'), roles: ['peer_supporter'], view: handoff.refer, menu: t('Refer') },
  referred: { title: t('Referrals to you'), roles: ['therapist'], view: handoff.referred, menu: t('Referrals') },
  waitlist: { title: t('Waiting list'), roles: OFFICER, view: waitlist, menu: t('Waiting list') },
  preferences: { title: t('My preferences'), roles: OFFICER, view: preferences, menu: t('Preferences') },
  conflicts: { title: t('Schedule clashes'), roles: OFFICER, view: clashes.conflicts },
  now: { title: t('Talk to someone now'), roles: OFFICER, view: urgent, menu: t('Talk now') },
  hours: { title: t('Weekly hours'), roles: PROVIDER, view: hours, menu: t('Hours') },
  profile: { title: t('Your profile'), roles: PROVIDER, view: profile, menu: t('Profile') },
  timeoff: { title: t('Days off and changes'), roles: PROVIDER, view: provider.timeOff, menu: t('Days off') },
  import: { title: t('Your calendar'), roles: PROVIDER, view: provider.importCalendar },
  upcoming: { title: t('Upcoming'), roles: PROVIDER, view: upcoming, menu: t('Upcoming') },
  groups: { title: t('Offer a group'), roles: PROVIDER, view: offerGroup, menu: t('Groups') },
  codes: { title: t('Enrolment codes'), roles: ADMIN, view: coordinator.codes, menu: t('Codes') },
  fatigue: { title: t('Rest rules'), roles: ['agency_admin'], view: coordinator.fatigue, menu: t('Rest rules') },
  outcomes: { title: t('Program numbers'), roles: ['agency_admin'], view: coordinator.outcomes, menu: t('Numbers') },
  training: { title: t('Peer training'), roles: ['agency_admin'], view: training.training, menu: t('Training') },
  campaigns: { title: t('Check-in campaigns'), roles: ['agency_admin'], view: campaigns.campaigns, menu: t('Check-ins') },
  checkin: { title: t('Check-in'), roles: OFFICER, view: campaigns.checkin, menu: t('Check-in') },
  trainings: { title: t('Training sessions'), roles: ['agency_admin'], view: trainingSessions.trainingSessions, menu: t('Training sessions') },
  'my-trainings': { title: t('My training sessions'), roles: OFFICER, view: trainingSessions.myTrainings, menu: t('Trainings') },
  readiness: { title: t('My training'), roles: ['peer_supporter'], view: training.readiness, menu: t('My training') },
  licences: { title: t('Licences'), roles: ['agency_admin'], view: licences.licences, menu: t('Licences') },
  'my-licences': { title: t('My licences'), roles: ['therapist'], view: licences.mine, menu: t('My licences') },
  'agency-licences': { title: t('Licences'), roles: ['system_admin'], view: licences.agencyLicences, menu: t('Licences') },
  admin: { title: t('Administration'), roles: ['system_admin'], view: coordinator.administration, menu: t('Admin') },
  audit: { title: t('Access audit'), roles: ['system_admin'], view: audit.accessAudit, menu: t('Audit') },
  check: { title: t('Camera and network check'), roles: PARTICIPANT, view: check.precall, menu: t('Check camera') },
  call: { title: t('Video call'), roles: PARTICIPANT, view: call.session },
  urgent: { title: t('Urgent request'), roles: PARTICIPANT, view: urgentLink },
  notifications: { title: t('Notifications'), roles: ANYONE, view: reach.settings, signedIn: true },
  'confirm-email': { title: t('Confirm your e-mail address'), roles: ANYONE, view: reach.confirmEmail },
  outbox: { title: t('Outbox (developers)'), roles: ANYONE, view: outbox.mails, signedIn: true, dev: true },
};

// flash(): a message for the next page, shown after it renders (a plain setStatus would be
// cleared by the navigation it precedes, before anyone could read it).
let pending = null;
const flash = (text, kind = 'ok') => { pending = [text, kind]; };
const ctx = { session: { signed_in: false }, navigate, reloadSession, flash, cleanup: null };

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
    setStatus(errorText(error), 'error');
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
    nav.append(link('signin', t('Sign in')), link('enrol', t('Join with a code')));
    return;
  }
  for (const [key, route] of Object.entries(ROUTES)) {
    if (route.menu && allowed(route)) nav.append(link(key, route.menu));
  }
  nav.append(link('notifications', t('Notifications')), link('account', t('Account')));
  if (ctx.session.dev_outbox) nav.append(link('outbox', t('Outbox')));
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
  document.title = route.title === t('Home') ? t('Tenfour') : t('{0} · Tenfour', [route.title]);
  renderNav();
  setStatus(...(pending || ['']));
  pending = null;
  const main = clear(document.getElementById('main'));
  main.classList.remove('wide');
  main.append(h('h1', { text: route.title === t('Home') ? t('Tenfour') : route.title }));
  // Focus starts at the new page before its data loads, so a Tab pressed meanwhile is not undone.
  main.focus();
  try {
    await route.view(main, params, ctx);
  } catch (error) {
    main.append(failure(error));
  }
}

function tiles(items) {
  return h('ul', { class: 'tiles' }, items.map(([key, title, text]) =>
    h('li', {}, h('a', { href: `#/${key}` }, h('strong', { text: title }), h('span', { class: 'muted', text })))));
}

async function home(main) {
  const s = ctx.session;
  if (!s.signed_in) {
    main.append(
      h('p', { text: t('Private video sessions that fit around your shifts. Your agency never sees who signs up.') }),
      tiles([
        ['signin', t('Sign in'), t('With your username and password.')],
        ['enrol', t('Join with an agency code'), t('No name or e-mail needed: pick a username and a password.')],
      ]));
    return;
  }
  const items = [];
  if (OFFICER.includes(s.role)) {
    main.append(h('a', { class: 'talk-now', href: '#/now' }, h('strong', { text: t('Talk to someone now') }), h('span', { text: t('If you need someone today.') })));
    items.push(['find', t('Find a time'), t('Times that fit around your shifts and sleep.')],
      ['appointments', t('My appointments'), t('Join, move or cancel.')],
      ['rotation', t('My shifts'), t('Enter your rotation once.')],
      ['check', t('Check camera and network'), t('Takes under a minute.')],
      ['feed', t('Calendar link'), t('See appointments in your own calendar.')]);
  }
  if (PROVIDER.includes(s.role)) {
    items.push(['upcoming', t('Upcoming sessions'), t('Join and let people in.')],
      ['hours', t('Weekly hours'), t('When you can be booked.')],
      ['timeoff', t('Days off and changes'), t('Time off and one-off changes.')],
      ['import', t('Your calendar'), t('Follow or import your own calendar: its busy times block bookings.')]);
    if (s.role === 'therapist') items.push(['check', t('Check camera and network'), t('Takes under a minute.')]);
  }
  if (s.role === 'agency_admin') {
    items.push(['codes', t('Enrolment codes'), t('Codes officers join with.')], ['fatigue', t('Rest rules'), t('When sessions may be booked around shifts.')],
      ['outcomes', t('Program numbers'), t('De-identified totals only.')]);
  }
  if (s.role === 'system_admin') {
    items.push(['admin', t('Administration'), t('Agencies, coordinators, therapists.')], ['codes', t('Enrolment codes'), t('For any agency.')],
      ['audit', t('Access audit'), t('Who viewed, joined or changed sessions; check the trail.')]);
  }
  main.append(tiles(items));
}

api.whenSignedOut(async () => {
  await reloadSession();
  if (!ctx.session.signed_in) { setStatus(t('Your session ended. Please sign in again.'), 'warn'); navigate('signin'); }
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
  if (el) el.textContent = state === 'reconnecting' ? t('Live updates paused. Reconnecting…') : '';
});

// The language switch: always at the foot of the page, in each language's own name.
function renderFoot() {
  document.querySelector('a.skip').textContent = t('Skip to content');
  document.getElementById('nav').setAttribute('aria-label', t('Main'));
  const choose = h('select', { id: 'language', name: 'language' },
    Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, lang: code, text: name, selected: code === language })));
  choose.addEventListener('change', () => setLanguage(choose.value));
  clear(document.getElementById('foot')).append(h('label', { for: 'language', text: t('Language') }), ' ', choose);
}

renderFoot();
window.addEventListener('hashchange', render);
pathToHash();
reloadSession().then(render);
