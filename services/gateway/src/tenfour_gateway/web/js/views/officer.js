// Officer pages: rotation, finding and booking a time, appointments, calendar link, talk now.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import { reasonText, emptyReason, protectedTime } from '../reasons.js';
import { browserZone, when, range, localTime, localDate, dateText, hhmm, isoDay, addDays, nowPlus, seconds, duration, minutes } from '../time.js';
import * as live from '../live.js';
import { deliveriesByAppointment } from './deliveries.js';

const KIND_OF = { D: 'SHIFT_KIND_DAY', S: 'SHIFT_KIND_SWING', N: 'SHIFT_KIND_NIGHT' };
const LETTER_NAME = { D: t('Day'), S: t('Swing'), N: t('Night') };
const DEFAULT_SHIFT = { D: ['07:00', 12], S: ['15:00', 10], N: ['19:00', 12] };

// ---------------------------------------------------------------------------- rotation

export async function rotation(main, _params, ctx) {
  const me = ctx.session.user_id;
  let templates = [];
  try {
    templates = (await api.call('scheduling', 'ListRotationTemplates', {})).templates || [];
  } catch (error) {
    main.append(failure(error, t('Shift rotations')));
    return;
  }
  let roster = null;
  try {
    roster = await api.call('scheduling', 'GetRoster', { officer_id: me });
  } catch (error) {
    if (error.code !== 'NOT_FOUND') main.append(failure(error, t('Your saved rotation')));
  }
  main.append(h('p', { text: t('Enter your rotation once. Tenfour then only offers times that are not during a shift, not right before one, and not in your sleep after nights.') }));

  const byName = Object.fromEntries(templates.map((tp) => [tp.name, tp]));
  const initial = roster && roster.cycle ? roster : null;
  const form = h('form', { class: 'card', novalidate: true });
  const shiftsBox = h('fieldset', {}, h('legend', { text: t('Shift times') }));
  const preview = h('div', { 'aria-live': 'polite' });
  form.append(
    field({ name: 'roster.template', label: t('Rotation'), type: 'select', value: initial?.template || (templates[0]?.name ?? ''),
      options: [...templates.map((tp) => [tp.name, t('{0} ({1} days)', [tp.description || tp.name, tp.cycle.length])]), ['', t('Other (type the pattern)')]] }),
    field({ name: 'roster.cycle', label: t('Pattern'), value: initial?.cycle || templates[0]?.cycle || '',
      hint: t('One letter per day: D day shift, S swing, N night, - day off. Example Pitman: DD--DDD--DD---'), attrs: { autocapitalize: 'characters', spellcheck: 'false' } }),
    field({ name: 'roster.anchor', label: t('A date when you were at the start of the pattern'), type: 'date', value: dateText(initial?.anchor) || isoDay(new Date()) }),
    field({ name: 'roster.offset_days', label: t('Days into the pattern on that date'), type: 'number', value: initial?.offset_days || 0, attrs: { min: 0, max: 365 }, hint: t('Usually 0. Use it if your squad runs the same pattern a few days later.') }),
    field({ name: 'roster.timezone', label: t('Time zone'), value: initial?.timezone || browserZone() }),
    shiftsBox,
    h('h2', { text: t('Preview: the next four weeks') }),
    h('p', { class: 'muted', text: 'Worked out from what you entered above; nothing is saved yet.' }),
    preview,
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save my rotation') })));
  main.append(form);

  const shiftValues = {};
  for (const s of initial?.shifts || templates[0]?.shifts || []) shiftValues[s.letter] = [hhmm(s.start), seconds(s.length) / 3600];

  function letters() {
    return [...new Set(String(valueOf(form, 'roster.cycle') || '').toUpperCase().replace(/[^DSN]/g, ''))].sort();
  }
  function renderShifts() {
    // Keep typed values when the pattern changes.
    for (const el of shiftsBox.querySelectorAll('[data-letter]')) {
      shiftValues[el.dataset.letter] = [el.querySelector('input[type=time]').value, Number(el.querySelector('input[type=number]').value)];
    }
    for (const el of shiftsBox.querySelectorAll('.row')) el.remove();
    letters().forEach((letter, i) => {
      const [start, hours] = shiftValues[letter] || DEFAULT_SHIFT[letter];
      shiftsBox.append(h('div', { class: 'row', dataset: { letter } },
        field({ name: `roster.shifts[${i}].start`, label: t('{0} shift ({1}) starts', [LETTER_NAME[letter], letter]), type: 'time', value: start }),
        field({ name: `roster.shifts[${i}].length`, label: t('Hours'), type: 'number', value: hours, attrs: { min: 1, max: 24, step: 0.5 } })));
    });
  }
  function readRoster() {
    const shifts = [...shiftsBox.querySelectorAll('[data-letter]')].map((el) => ({
      letter: el.dataset.letter,
      start: localTime(el.querySelector('input[type=time]').value),
      length: duration(Number(el.querySelector('input[type=number]').value) * 3600),
      kind: KIND_OF[el.dataset.letter],
    }));
    return {
      officer_id: me,
      template: valueOf(form, 'roster.template') || '',
      cycle: String(valueOf(form, 'roster.cycle')).toUpperCase().trim(),
      shifts,
      anchor: localDate(valueOf(form, 'roster.anchor')),
      offset_days: Number(valueOf(form, 'roster.offset_days') || 0),
      timezone: String(valueOf(form, 'roster.timezone')).trim(),
      overrides: initial?.overrides || [],
    };
  }
  function renderPreview() {
    clear(preview);
    const r = readRoster();
    if (!r.cycle || !r.anchor.year) { preview.append(h('p', { class: 'muted', text: t('Enter a pattern and a date to see a preview.') })); return; }
    const anchor = new Date(r.anchor.year, r.anchor.month - 1, r.anchor.day);
    const today = new Date();
    const start = addDays(today, -((today.getDay() + 6) % 7)); // this Monday
    const grid = h('div', { class: 'cal', role: 'table', 'aria-label': t('Shifts for the next four weeks') });
    // Rows for assistive technology; `display: contents` keeps the seven-column CSS grid.
    grid.append(h('div', { role: 'row' }, [t('Mon'), t('Tue'), t('Wed'), t('Thu'), t('Fri'), t('Sat'), t('Sun')].map((d) => h('div', { class: 'day head', role: 'columnheader', text: d }))));
    let week = null;
    const byLetter = Object.fromEntries(r.shifts.map((s) => [s.letter, s]));
    for (let i = 0; i < 28; i++) {
      const day = addDays(start, i);
      const diff = Math.round((day - anchor) / 86400000);
      const letter = r.cycle[(((diff + r.offset_days) % r.cycle.length) + r.cycle.length) % r.cycle.length];
      const cell = h('div', { class: 'day', role: 'cell' }, h('span', { class: 'date', text: day.toLocaleDateString(language, { day: 'numeric', month: 'short' }) }));
      const s = byLetter[letter];
      if (s) {
        const end = (s.start.hour * 60 + s.start.minute + seconds(s.length) / 60) % 1440;
        cell.append(h('span', { class: `shift ${letter}`, text: `${letter} ${hhmm(s.start)}–${hhmm({ hour: Math.floor(end / 60), minute: end % 60 })}` }));
      } else {
        cell.append(h('span', { class: 'off', text: 'off' }));
      }
      if (i % 7 === 0) { week = h('div', { role: 'row' }); grid.append(week); }
      week.append(cell);
    }
    preview.append(grid, h('div', { class: 'legend' },
      h('span', {}, h('span', { class: 'shift D', text: 'D' }), t(' day')), h('span', {}, h('span', { class: 'shift S', text: 'S' }), t(' swing')),
      h('span', {}, h('span', { class: 'shift N', text: 'N' }), t(' night')), h('span', { class: 'off', text: 'off = day off' })));
  }
  form.querySelector('[data-field="roster.template"]').addEventListener('change', (e) => {
    const t = byName[e.target.value];
    if (t) {
      form.querySelector('[data-field="roster.cycle"]').value = t.cycle;
      for (const s of t.shifts || []) shiftValues[s.letter] = [hhmm(s.start), seconds(s.length) / 3600];
      for (const el of shiftsBox.querySelectorAll('.row')) el.remove();
    }
    renderShifts(); renderPreview();
  });
  form.addEventListener('input', (e) => {
    if (e.target.dataset.field === 'roster.cycle') renderShifts();
    renderPreview();
  });
  renderShifts(); renderPreview();

  const saved = h('div');
  main.append(saved);
  onSubmit(form, async () => {
    await api.call('scheduling', 'SetRoster', { roster: readRoster() });
    setStatus(t('Your rotation is saved.'), 'ok');
    await showProtected(saved, me);
  });
  if (initial) await showProtected(saved, me);
  main.append(overrideForm(me, saved));
}

async function showProtected(box, me) {
  clear(box);
  box.append(h('h2', { text: t('What Tenfour will avoid (next 14 days)') }));
  const span = { start: new Date().toISOString(), end: nowPlus(14) };
  try {
    const [shifts, off] = await Promise.all([
      api.call('scheduling', 'GetShifts', { officer_id: me, range: span }),
      api.call('scheduling', 'GetOffDutyWindows', { officer_id: me, range: span }),
    ]);
    const rows = [
      ...(shifts.shifts || []).map((s) => [s.time.start, range(s.time), s.source && s.source !== 'cycle' ? t('Shift ({0})', [s.source]) : t('Shift')]),
      ...(off.removed || []).filter((r) => r.reason_code !== 'on_duty').map((r) => [r.time.start, range(r.time), protectedTime(r.reason_code, r.reason)]),
    ].sort((a, b) => a[0].localeCompare(b[0]));
    box.append(h('table', { class: 'protected' }, h('thead', {}, h('tr', {}, h('th', { text: t('When') }), h('th', { text: t('Why') }))),
      h('tbody', {}, rows.map(([, t, why]) => h('tr', {}, h('td', { text: t }), h('td', { text: why }))))),
    h('p', { class: 'muted', text: t('{0} free windows remain for sessions.', [(off.windows || []).length]) }));
  } catch (error) {
    box.append(failure(error, t('Your shifts and rest times')));
  }
}

function overrideForm(me, savedBox) {
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('A change to one day') }),
    h('p', { class: 'muted', text: t('Overtime, court, training, leave, sick days or swaps.') }),
    field({ name: 'override.kind', label: t('What'), type: 'select', value: 'OVERRIDE_KIND_OVERTIME', options: [
      ['OVERRIDE_KIND_OVERTIME', t('Overtime (extra duty)')], ['OVERRIDE_KIND_COURT', t('Court')], ['OVERRIDE_KIND_TRAINING', t('Training')],
      ['OVERRIDE_KIND_SWAP', t('Swap')], ['OVERRIDE_KIND_LEAVE', t('Leave (day off)')], ['OVERRIDE_KIND_SICK', t('Sick (day off)')]] }),
    field({ name: 'override.date', label: t('Date'), type: 'date', value: isoDay(new Date()) }),
    field({ name: 'override.adds_duty', label: t('I am working (adds duty)'), type: 'checkbox', value: true }),
    h('div', { class: 'row' },
      field({ name: 'override.start', label: t('Starts'), type: 'time', value: '07:00' }),
      field({ name: 'override.length', label: t('Hours'), type: 'number', value: 8, attrs: { min: 0.5, max: 24, step: 0.5 } })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Add change') })));
  form.querySelector('[data-field="override.kind"]').addEventListener('change', (e) => {
    form.querySelector('[data-field="override.adds_duty"]').checked = !['OVERRIDE_KIND_LEAVE', 'OVERRIDE_KIND_SICK'].includes(e.target.value);
  });
  onSubmit(form, async () => {
    const adds = valueOf(form, 'override.adds_duty');
    await api.call('scheduling', 'AddRosterOverride', {
      officer_id: me,
      override: {
        kind: valueOf(form, 'override.kind'), date: localDate(valueOf(form, 'override.date')), adds_duty: adds,
        ...(adds ? { start: localTime(valueOf(form, 'override.start')), length: duration(Number(valueOf(form, 'override.length')) * 3600) } : {}),
      },
    });
    setStatus(t('Change added.'), 'ok');
    await showProtected(savedBox, me);
  });
  return form;
}

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
        try { await reschedule(a, s.time.start, list, conflicts, ctx); } catch (error) { box.append(failure(error, t('Moving'))); }
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
      copy.addEventListener('click', async () => { try { await navigator.clipboard.writeText(url); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select and copy the link'; } });
      const revoke = h('button', { type: 'button', class: 'danger', text: t('Stop this link') });
      revoke.addEventListener('click', async () => {
        try { await api.call('scheduling', 'RevokeCalendarFeedToken', {}); clear(box).append(notice('ok', 'The link no longer works.')); } catch (error) { box.append(failure(error)); }
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
