// An officer's (and a provider's) appointments: moving, cancelling, feedback, schedule clashes; the calendar link.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import { reasonText, emptyReason } from '../reasons.js';
import { when, range, nowPlus, duration } from '../time.js';
import { deliveriesByAppointment } from './deliveries.js';
import * as api from '../api.js';
import * as live from '../live.js';

// ---------------------------------------------------------------------------- appointments

const STATUS_TEXT = {
  APPOINTMENT_STATUS_BOOKED: t('Booked'), APPOINTMENT_STATUS_ARRIVED: t('In the waiting room'), APPOINTMENT_STATUS_FULFILLED: t('Done'),
  APPOINTMENT_STATUS_CANCELLED: t('Cancelled'), APPOINTMENT_STATUS_NOSHOW: t('Missed'), APPOINTMENT_STATUS_PROPOSED: t('Proposed'),
  APPOINTMENT_STATUS_WAITLIST: t('Waiting list'), APPOINTMENT_STATUS_ENTERED_IN_ERROR: t('Removed'),
};
export const statusText = (s) => STATUS_TEXT[s] || s;

export async function appointments(main, _params, ctx) {
  const list = h('div');
  const conflicts = h('div');
  main.append(conflicts, list);
  await loadAppointments(list, conflicts, ctx);
  // Moved or cancelled by the other side, a new clash, a reminder sent: shown without a reload.
  let pending = null;
  const reload = () => { pending = pending || loadAppointments(list, conflicts, ctx).finally(() => { pending = null; }); };
  const off = live.subscribe((message) => {
    if (!message.ready && !message.notification) return;
    // Something open under an appointment (feedback, other times): ask before replacing it.
    const busy = [...list.querySelectorAll('li.appointment > div:last-child')].some((el) => el.childElementCount);
    if (!busy) { reload(); return; }
    if (conflicts.querySelector('.changed')) return;
    const show = h('button', { type: 'button', text: t('Show the changes') });
    show.addEventListener('click', reload);
    conflicts.prepend(h('div', { class: 'notice changed' }, h('p', { text: t('Your appointments changed.') }), h('div', { class: 'actions' }, show)));
  });
  ctx.cleanup = off;
}

async function loadAppointments(list, conflicts, ctx) {
  const officer = ['officer', 'peer_supporter'].includes(ctx.session.role);
  const alerts = [];
  if (officer) {
    try {
      const found = await api.call('scheduling', 'ListConflicts', {});
      for (const c of found.conflicts || []) alerts.push(conflictAlert(c));
    } catch (error) {
      // Clash alerts are extra: each appointment carries its own clash flag as well.
      if (!['UNIMPLEMENTED', 'PERMISSION_DENIED'].includes(error.code)) alerts.push(failure(error, t('Shift clashes')));
    }
  }
  let items;
  try {
    items = (await api.call('scheduling', 'ListAppointments', { range: { start: nowPlus(-1), end: nowPlus(90) }, include_past: false })).appointments || [];
  } catch (error) {
    clear(conflicts).append(...alerts);
    clear(list).append(failure(error, t('Appointments')));
    return;
  }
  const sent = items.length ? await deliveriesByAppointment() : new Map();
  // Replaced in one step, so a live refresh never shows an empty page in between.
  clear(conflicts).append(...alerts);
  clear(list);
  if (!items.length) {
    list.append(h('p', {}, t('Nothing booked. '), officer ? h('a', { href: '#/find', text: t('Find a time') }) : null));
    return;
  }
  list.append(h('ul', { class: 'list appointments' }, items.map((a) => appointmentItem(a, list, conflicts, ctx, sent.get(a.appointment_id) || []))));
}

function appointmentItem(a, list, conflicts, ctx, sent = []) {
  const live = ['APPOINTMENT_STATUS_BOOKED', 'APPOINTMENT_STATUS_ARRIVED'].includes(a.status);
  const out = h('div');
  const actions = h('div', { class: 'actions' });
  if (live) {
    actions.append(h('a', { class: 'button', href: `#/call/${encodeURIComponent(a.appointment_id)}`, text: t('Join') }));
    const cancel = h('button', { type: 'button', class: 'secondary', text: t('Cancel') });
    cancel.addEventListener('click', async () => {
      if (!window.confirm(t('Cancel this appointment?'))) return;
      try {
        await api.call('scheduling', 'Cancel', { appointment_id: a.appointment_id });
        await loadAppointments(list, conflicts, ctx);
      } catch (error) { clear(out).append(failure(error, t('Cancelling'))); }
    });
    actions.append(cancel);
    if (['officer', 'peer_supporter'].includes(ctx.session.role)) {
      const move = h('button', { type: 'button', class: 'secondary', text: t('Move') });
      move.addEventListener('click', () => rescheduleChooser(out, a, list, conflicts, ctx));
      actions.append(move);
    }
  }
  if (a.status === 'APPOINTMENT_STATUS_FULFILLED' && ['officer', 'peer_supporter'].includes(ctx.session.role)) {
    const give = h('button', { type: 'button', class: 'secondary', text: t('Give anonymous feedback') });
    give.addEventListener('click', () => feedbackForm(out, a, give));
    actions.append(give);
  }
  return h('li', { class: 'appointment', dataset: { appointmentId: a.appointment_id, status: a.status } },
    h('p', {}, h('strong', { text: range(a.time) }), ' ', h('span', { class: 'badge', text: statusText(a.status) }),
      a.conflict ? h('span', { class: 'badge conflict', text: t('Clashes with a shift') }) : null),
    h('p', { class: 'muted', text: a.session_type === 'SESSION_TYPE_GROUP' ? t('Group session') : a.urgent ? t('Urgent session') : t('One to one') }),
    sent.map((text) => h('p', { class: 'delivery muted', text })),
    actions, out);
}

// Anonymous: the credential is asked for first, then the answers go with it alone, so they are
// stored without who gave them or which session they were about.
async function feedbackForm(box, a, button) {
  clear(box);
  let credential;
  try {
    credential = (await api.call('outcomes', 'IssueFeedbackCredential', { appointment_id: a.appointment_id })).credential;
  } catch (error) {
    box.append(error.code === 'ALREADY_EXISTS' ? notice('', t('You already gave feedback on this session. Thank you.')) : failure(error, t('Feedback')));
    return;
  }
  const scale = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => [String(from + i), String(from + i)]);
  const form = h('form', { class: 'card feedback', novalidate: true },
    h('p', { text: t('Nobody, not your agency and not your provider, can see that this came from you.') }),
    field({ name: 'rating', label: t('How was the session? (1 poor, 5 excellent)'), type: 'select', value: '4', options: scale(1, 5) }),
    field({ name: 'would_recommend', label: t('Would you recommend it to a colleague?'), type: 'select', value: 'true', options: [['true', t('Yes')], ['false', t('No')]] }),
    field({ name: 'stress_before', label: t('Your stress before (0 none, 10 extreme)'), type: 'select', value: '5', options: scale(0, 10) }),
    field({ name: 'stress_after', label: t('Your stress after (0 none, 10 extreme)'), type: 'select', value: '5', options: scale(0, 10) }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Send anonymously') })));
  box.append(form);
  onSubmit(form, async () => {
    await api.call('outcomes', 'SubmitFeedback', {
      credential, rating: Number(valueOf(form, 'rating')), would_recommend: valueOf(form, 'would_recommend') === 'true',
      stress_before: Number(valueOf(form, 'stress_before')), stress_after: Number(valueOf(form, 'stress_after')),
    });
    clear(box).append(notice('ok', t('Thank you. Your answers were saved without your name.')));
    button.remove();
  });
}

async function reschedule(a, start, list, conflicts, ctx) {
  await api.call('scheduling', 'Reschedule', { idempotency_key: api.idempotencyKey(), appointment_id: a.appointment_id, new_start: start });
  setStatus(t('Moved.'), 'ok');
  await loadAppointments(list, conflicts, ctx);
}

async function rescheduleChooser(box, a, list, conflicts, ctx) {
  clear(box).append(h('p', { class: 'muted', text: t('Looking for other times with the same person…') }));
  try {
    const found = await api.call('scheduling', 'FindSlots', {
      officer_id: ctx.session.user_id, session_type: a.session_type, filters: { continuity: true }, horizon: duration(30 * 86400), limit: 10,
    });
    clear(box);
    const slots = (found.slots || []).filter((s) => s.provider_id === a.provider_id);
    if (!slots.length) { box.append(notice('warn', emptyReason(found.empty_reason_code) || found.empty_reason || t('No other times with the same person in the next 30 days.'))); return; }
    box.append(h('ul', { class: 'list' }, slots.map((s) => {
      const pick = h('button', { type: 'button', text: t('Move to {0}', [when(s.time.start)]) });
      pick.addEventListener('click', async () => {
        try { await reschedule(a, s.time.start, list, conflicts, ctx); } catch (error) { say(box, failure(error, t('Moving'))); }
      });
      return h('li', {}, pick, s.reason ? h('p', { class: 'muted', text: reasonText(s.reasons, s.reason) }) : null);
    })));
  } catch (error) {
    clear(box).append(failure(error, t('Other times')));
  }
}

// The alternatives, by day, are on the Schedule clashes page (views/conflicts.js).
function conflictAlert(c) {
  const what = c.group_seat ? t('Your group seat on') : t('Your appointment on');
  return notice('warn', t('Your shifts changed: {0} {1} now clashes. ', [what, range(c.appointment.time)]),
    h('a', { href: `#/conflicts/${encodeURIComponent(c.appointment.appointment_id)}`, text: t('See other times by day') }));
}

// ---------------------------------------------------------------------------- calendar link

export async function calendarFeed(main) {
  const box = h('div', { class: 'card' });
  main.append(h('p', { text: t('Add your Tenfour appointments to the calendar on your phone. The entries only say "Appointment", nothing more.') }), box);
  async function show(action) {
    clear(box);
    try {
      const token = await api.call('scheduling', action, {});
      const path = token.url_path || `/calendar/${token.token}.ics`;
      const url = new URL(path, location.origin).toString();
      const copy = h('button', { type: 'button', class: 'secondary', text: t('Copy link') });
      copy.addEventListener('click', async () => { try { await navigator.clipboard.writeText(url); copy.textContent = t('Copied'); } catch { copy.textContent = t('Select and copy the link'); } });
      const revoke = h('button', { type: 'button', class: 'danger', text: t('Stop this link') });
      revoke.addEventListener('click', async () => {
        try { await api.call('scheduling', 'RevokeCalendarFeedToken', {}); clear(box).append(notice('ok', t('The link no longer works.'))); } catch (error) { box.append(failure(error)); }
      });
      box.append(h('p', { text: t('Subscribe to this link in your calendar app. Anyone with the link sees your appointment times, so keep it private.') }),
        h('code', { class: 'copy feed-url', text: url }),
        h('div', { class: 'actions' }, copy, h('a', { class: 'button secondary', href: url.replace(/^https?:/, 'webcal:'), text: t('Open in calendar app') }), revoke));
    } catch (error) {
      box.append(failure(error, t('Calendar link')));
    }
  }
  await show('GetCalendarFeedToken');
}
