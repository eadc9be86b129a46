// A provider's "Upcoming" page: sessions of the next 30 days, kept current by the live
// connection (a new booking, an urgent request, someone in the waiting room appear without a
// reload). Urgent sessions are pinned at the top.
import { t } from '../i18n.js';
import { h, clear, failure } from '../dom.js';
import * as api from '../api.js';
import * as live from '../live.js';
import { range, nowPlus, when } from '../time.js';
import { statusText } from './appointments.js';

const LIVE = ['APPOINTMENT_STATUS_BOOKED', 'APPOINTMENT_STATUS_ARRIVED'];

function order(items) {
  // Open urgent sessions first, then by start time.
  const rank = (a) => (a.urgent && LIVE.includes(a.status) ? 0 : 1);
  return [...items].sort((a, b) => rank(a) - rank(b) || String(a.time?.start).localeCompare(String(b.time?.start)));
}

function item(a, fresh, waiting, names, peer) {
  const name = a.session_type !== 'SESSION_TYPE_GROUP' ? names.get(a.officer_ids?.[0]) : '';
  const open = LIVE.includes(a.status);
  const pinned = a.urgent && open;
  const someoneWaiting = open && (waiting.has(a.appointment_id) || a.status === 'APPOINTMENT_STATUS_ARRIVED');
  return h('li', { class: `appointment${pinned ? ' pinned' : ''}${fresh ? ' fresh' : ''}`, dataset: { appointmentId: a.appointment_id, status: a.status, urgent: a.urgent ? 'yes' : 'no' } },
    h('p', {}, h('strong', { text: range(a.time) }), ' ', h('span', { class: 'badge', text: statusText(a.status) }),
      a.urgent ? h('span', { class: 'badge conflict', text: t('Urgent') }) : null,
      fresh ? h('span', { class: 'badge new', text: t('New') }) : null,
      someoneWaiting ? h('span', { class: 'badge waiting', text: name ? t('{0} is waiting', [name]) : t('Someone is waiting') }) : null),
    h('p', { class: 'muted', text: a.session_type === 'SESSION_TYPE_GROUP' ? t('Group, {0} of {1}', [a.officer_ids?.length || 0, a.capacity]) : name ? t('One to one with {0}', [name]) : t('One to one') }),
    open ? h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/call/${encodeURIComponent(a.appointment_id)}`, text: t('Open the session') })) : null,
    // A peer supporter refers the officer of a one-to-one session on from here (warm handoff).
    peer && a.session_type !== 'SESSION_TYPE_GROUP' && a.officer_ids?.length
      ? h('p', {}, h('a', { class: 'refer-link', href: `#/refer/${encodeURIComponent(a.officer_ids[0])}`, text: t('Refer to a clinician') })) : null);
}

// The display names officers chose at sign-up, for those not asked yet; without them the page
// still works and says "One to one".
export async function learnNames(items, names) {
  const unknown = [...new Set(items.flatMap((a) => a.officer_ids || []))].filter((id) => !names.has(id));
  if (!unknown.length) return;
  try {
    const found = (await api.call('identity', 'GetOfficerNames', { officer_ids: unknown.slice(0, 200) })).display_names || {};
    for (const [id, name] of Object.entries(found)) names.set(id, name);
  } catch { /* names are a courtesy: the list shows without them */ }
}

// The on-call switch for urgent requests: on for the next 12 hours, paused, or following the
// Urgent hours (scheduling's SetOnCall; the switch lapses by itself).
async function onCallSwitch() {
  const box = h('section', { class: 'card on-call', 'aria-labelledby': 'on-call-h' });
  const show = (s) => {
    clear(box).append(h('h2', { id: 'on-call-h', text: t('Urgent requests') }));
    box.dataset.mode = s.mode || 'hours';
    const text = s.mode === 'on' ? t('You are on call until {0}.', [when(s.until)])
      : s.mode === 'off' ? t('Urgent requests are paused until {0}.', [when(s.until)])
        : t('You get urgent requests during your Urgent hours.');
    const choices = [['on', t('Go on call now')], ['off', t('Pause urgent requests')], ['hours', t('Follow my hours')]].filter(([m]) => m !== (s.mode || 'hours'));
    box.append(h('p', { class: 'on-call-state', text }), h('div', { class: 'actions' }, choices.map(([mode, label]) => {
      const button = h('button', { type: 'button', class: mode === 'on' ? '' : 'secondary', text: label });
      button.addEventListener('click', async () => {
        button.disabled = true;
        try { show(await api.call('scheduling', 'SetOnCall', { mode })); } catch (error) { box.append(failure(error)); button.disabled = false; }
      });
      return button;
    })));
  };
  try { show(await api.call('scheduling', 'GetOnCall', {})); } catch (error) { box.append(failure(error, t('Urgent requests'))); }
  return box;
}

export async function upcoming(main, _params, ctx) {
  const list = h('div', { class: 'upcoming' });
  const news = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  main.append(news, await onCallSwitch(), list);
  let seen = null; // appointment ids shown so far (null before the first load)
  const waiting = new Set();
  const names = new Map(); // officer id -> the display name they chose (identity answers for our own officers only)
  let loading = null;
  let again = false;

  const load = async () => {
    let items;
    try {
      items = (await api.call('scheduling', 'ListAppointments', { range: { start: nowPlus(-1), end: nowPlus(30) } })).appointments || [];
    } catch (error) {
      clear(list).append(failure(error, t('Upcoming sessions')));
      return;
    }
    await learnNames(items, names);
    const fresh = new Set(seen ? items.map((a) => a.appointment_id).filter((id) => !seen.has(id)) : []);
    seen = new Set([...(seen || []), ...items.map((a) => a.appointment_id)]);
    clear(list);
    if (!items.length) { list.append(h('p', { text: t('No sessions booked.') })); return; }
    list.append(h('ul', { class: 'list appointments' }, order(items).map((a) => item(a, fresh.has(a.appointment_id), waiting, names, ctx.session?.role === 'peer_supporter'))));
    if (fresh.size) news.textContent = fresh.size === 1 ? t('A new session was added.') : t('{0} new sessions were added.', [fresh.size]);
  };
  // One load at a time; events that arrive meanwhile cause one more.
  const refresh = async () => {
    if (loading) { again = true; return; }
    do {
      again = false;
      loading = load();
      await loading;
      loading = null;
    } while (again);
  };

  await refresh();
  const off = live.subscribe((message) => {
    const n = message.notification;
    if (n && n.kind === 'waiting_room' && n.appointment_id) waiting.add(n.appointment_id);
    if (message.ready || n || message.withdrawn) refresh();
  });
  ctx.cleanup = off;
}
