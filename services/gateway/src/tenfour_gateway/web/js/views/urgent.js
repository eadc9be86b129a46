// "Talk to someone now": an urgent request, with the crisis line on the page from the start.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear } from '../dom.js';
import { minutes } from '../time.js';
import * as api from '../api.js';
import * as live from '../live.js';

// ---------------------------------------------------------------------------- talk now

// The crisis line and the emergency number are on the page from the start and stay there:
// an officer never has to wait for the fallback to appear.
function phoneOf(text) {
  const digits = (text.match(/\+?\d[\d\s-]{1,18}\d|\b\d{3}\b/g) || []).pop() || '988';
  return digits.replace(/[\s-]/g, '');
}

function fallback(text) {
  return h('div', { class: 'notice warn crisis-line' },
    h('p', {}, h('a', { class: 'button tel', href: `tel:${phoneOf(text)}`, text })),
    h('p', {}, t('In immediate danger: '), h('a', { class: 'tel emergency', href: 'tel:911', text: t('call 911') }), t(' (your local emergency number).')));
}

// The open request's id stays in this tab, so coming back (from the room, or a reload) shows it
// again instead of starting over.
const URGENT_KEY = 'tenfour.urgent';
function remember(id) {
  try { if (id) sessionStorage.setItem(URGENT_KEY, id); else sessionStorage.removeItem(URGENT_KEY); } catch { /* private mode: this page only */ }
}
function remembered() {
  try { return sessionStorage.getItem(URGENT_KEY); } catch { return null; }
}

export async function urgent(main, _params, ctx) {
  const line = h('div', {}, fallback(t('988 Suicide & Crisis Lifeline: call or text 988')));
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { text: t('We will alert everyone on call now; the first one free answers.') }),
    field({ name: 'prefer_peer_first', label: t('A trained peer supporter first, if one is free'), type: 'checkbox' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Find someone now') })));
  const state = h('div', { 'aria-live': 'polite', class: 'urgent-status' });
  main.append(line, form, state);
  let timer = null;
  let current = null;
  const cancel = h('button', { type: 'button', class: 'secondary cancel-urgent', text: t('Cancel my request') });
  cancel.addEventListener('click', async () => {
    try {
      show(await api.call('scheduling', 'CancelUrgentRequest', { request_id: current.request_id }));
    } catch (error) { state.append(failure(error)); }
  });
  const join = (s) => h('p', {}, h('a', { class: 'button', href: `#/call/${encodeURIComponent(s.appointment.appointment_id)}`, text: t('Join now') }));
  const show = (s) => {
    current = s;
    clear(state);
    state.dataset.state = s.state;
    if (s.crisis_line_text) clear(line).append(fallback(s.crisis_line_text));
    line.firstChild.classList.toggle('prominent', s.state === 'escalated');
    const alerted = s.alerted_count ? (s.alerted_count === 1 ? t('1 person was alerted.') : t('{0} people were alerted.', [s.alerted_count])) + ' ' : '';
    if (s.state === 'cancelled' || s.state === 'ended') {
      state.append(notice('', s.state === 'ended' ? t('Your session has ended. You can ask again at any time.') : t('Your request is cancelled. You can ask again at any time.')));
      form.hidden = false;
      clearInterval(timer);
      remember(null);
      return;
    }
    remember(s.request_id);
    form.hidden = true;
    const who = s.provider_name;
    if (s.state === 'connected' && s.appointment) {
      state.append(notice('ok', who ? t('{0} is in the room, waiting for you.', [who]) : t('Someone is in the room, waiting for you.'), join(s)));
    } else if (s.state === 'accepted' && s.appointment) {
      state.append(notice('ok', who ? t('{0} accepted and is opening the room.', [who]) : t('Someone accepted and is opening the room.'), join(s)));
    } else if (s.state === 'accepting') {
      state.append(notice('ok', t('Someone accepted and is opening the room.')));
    } else if (s.state === 'escalated') {
      state.append(notice('warn', alerted + t('Everyone is busy right now. We have asked your agency for more help and you keep your place. Please use the number above if you cannot wait.')));
    } else {
      state.append(notice('', alerted + (s.queue_position ? t('You are in the queue (number {0}).', [s.queue_position]) : t('You are in the queue.')) + (s.estimated_wait ? ' ' + t('About {0} minutes.', [Math.max(1, minutes(s.estimated_wait))]) : '')));
    }
    state.append(h('div', { class: 'actions' }, cancel));
  };
  const poll = async () => {
    if (!document.body.contains(state)) { clearInterval(timer); off(); return; }
    try { show(await api.call('scheduling', 'GetUrgentSessionStatus', { request_id: current.request_id })); } catch (error) { clear(state).append(failure(error)); }
  };
  const follow = (status) => {
    show(status);
    clearInterval(timer);
    // A live event reaches the officer at once; the poll is only the safety net.
    if (!['cancelled', 'ended'].includes(status.state)) timer = setInterval(poll, 3000);
  };
  const off = live.subscribe((message) => { if (current && (message.notification || message.withdrawn)) poll(); });
  ctx.cleanup = () => { off(); clearInterval(timer); };
  onSubmit(form, async () => {
    follow(await api.call('scheduling', 'RequestUrgentSession', { prefer_peer_first: valueOf(form, 'prefer_peer_first') }));
  });
  const open = remembered();
  if (open) {
    try { follow(await api.call('scheduling', 'GetUrgentSessionStatus', { request_id: open })); } catch { remember(null); }
  }
}
