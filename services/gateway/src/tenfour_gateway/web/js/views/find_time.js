// "Find a time": the times that fit an officer's shifts, day by day. A strip of days (and a date
// picker) chooses the day; that day's times are grouped per provider as compact buttons, so a
// phone shows a day at a glance instead of a long list of cards. Earliest first or best fit first.
import { t, language } from '../i18n.js';
import { h, append, field, onSubmit, valueOf, notice, failure, clear, say } from '../dom.js';
import * as api from '../api.js';
import { reasonText, emptyReason } from '../reasons.js';
import { range, timeOnly, isoDay, duration, localTime } from '../time.js';

const SEARCH_LIMIT = 200; // the service's most
const STEP_SECONDS = 1800; // starts every 30 minutes: more days fit within the limit

function filterForm() {
  return [
    field({ name: 'session_type', label: t('Kind of session'), type: 'select', value: 'SESSION_TYPE_INDIVIDUAL', options: [['SESSION_TYPE_INDIVIDUAL', t('One to one (50 min)')], ['SESSION_TYPE_GROUP', t('Group (90 min)')]] }),
    field({ name: 'filters.provider_kind', label: t('With'), type: 'select', value: '', options: [['', t('Anyone')], ['PROVIDER_KIND_THERAPIST', t('A licensed clinician')], ['PROVIDER_KIND_PEER', t('A trained peer supporter')]] }),
    field({ name: 'horizon', label: t('Within'), type: 'select', value: '14', options: [['1', t('the next 24 hours')], ['7', t('the next 7 days')], ['14', t('the next 14 days')], ['30', t('the next 30 days')]] }),
    field({ name: 'order', label: t('Show first'), type: 'select', value: 'earliest', options: [['earliest', t('The earliest times')], ['best', t('The times that fit me best')]],
      hint: t('Best fit weighs your preferred hours and rest after shifts.') }),
    h('details', { class: 'more-filters' }, h('summary', { text: t('More filters') }),
      field({ name: 'filters.languages', label: t('Language (optional)'), hint: t('For example: en, es'), attrs: { autocomplete: 'off' } }),
      field({ name: 'filters.first_responder_competent', label: t('Experienced with first responders'), type: 'checkbox' }),
      field({ name: 'filters.licensed_in_my_jurisdiction', label: t('Licensed where I live'), type: 'checkbox' }),
      field({ name: 'filters.continuity', label: t('Only the person I saw before'), type: 'checkbox' })),
  ];
}

function readFilters(form, me) {
  const languages = String(valueOf(form, 'filters.languages') || '').split(',').map((s) => s.trim()).filter(Boolean);
  const filters = {
    languages,
    first_responder_competent: valueOf(form, 'filters.first_responder_competent'),
    licensed_in_my_jurisdiction: valueOf(form, 'filters.licensed_in_my_jurisdiction'),
    continuity: valueOf(form, 'filters.continuity'),
  };
  if (valueOf(form, 'filters.provider_kind')) filters.provider_kind = valueOf(form, 'filters.provider_kind');
  return { officer_id: me, session_type: valueOf(form, 'session_type'), filters, horizon: duration(Number(valueOf(form, 'horizon')) * 86400), limit: SEARCH_LIMIT, step: duration(STEP_SECONDS) };
}

export async function findSlots(main, _params, ctx) {
  const me = ctx.session.user_id;
  const form = h('form', { class: 'card', novalidate: true }, ...filterForm(),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Show times') })));
  const results = h('div', { class: 'find-results', 'aria-live': 'polite' });
  main.append(h('p', { text: t('Every time shown fits around your shifts and leaves room to sleep.') }), form, results);
  onSubmit(form, async () => {
    const request = readFilters(form, me);
    const found = await api.call('scheduling', 'FindSlots', request);
    // The service ranks by fit; "earliest" is the same times in time order.
    const ranked = (found.slots || []).map((slot, rank) => ({ ...slot, rank }));
    const best = valueOf(form, 'order') === 'best';
    renderDays(results, { ...found, slots: best ? ranked : [...ranked].sort(byStart) }, request, best);
    // Keyboard and screen-reader users continue from what was found, not from the button.
    const lead = results.querySelector('h2, .notice');
    lead.setAttribute('tabindex', '-1');
    lead.focus();
  });
}

const byStart = (a, b) => String(a.time.start).localeCompare(String(b.time.start)) || a.rank - b.rank;
const dayOf = (slot) => isoDay(new Date(slot.time.start));
const dayName = (day, style = 'long') => new Intl.DateTimeFormat(language, { weekday: style, day: 'numeric', month: style === 'long' ? 'long' : 'short' })
  .format(new Date(`${day}T12:00:00`));

function renderDays(box, found, request, best) {
  clear(box);
  const slots = found.slots;
  if (!slots.length) {
    box.append(notice('warn', emptyReason(found.empty_reason_code) || t('No times found. Try a longer period or fewer filters.')));
    return;
  }
  const days = new Map(); // day -> its slots, days in time order
  for (const slot of [...slots].sort(byStart)) {
    if (!days.has(dayOf(slot))) days.set(dayOf(slot), []);
    days.get(dayOf(slot)).push(slot);
  }
  const providers = new Map(slots.map((s) => [s.provider_id, s.provider_display_name || t('a provider')]));
  const who = providers.size > 1 ? field({ name: 'provider', label: t('Provider'), type: 'select', value: '',
    options: [['', t('Anyone')], ...[...providers].map(([id, name]) => [id, name])] }) : null;
  const dayList = [...days.keys()];
  const picker = field({ name: 'day', label: t('Go to a date'), type: 'date', value: dayOf(slots[0]), attrs: { min: dayList[0], max: dayList[dayList.length - 1] } });
  const strip = h('div', { class: 'day-strip', role: 'group', 'aria-label': t('Days with free times') });
  const dayBox = h('section', { class: 'day-panel', 'aria-live': 'polite' });
  // dom's append, not the element's: it skips the absent parts instead of writing "null".
  append(box, [h('h2', { text: t('{0} times on {1} days', [slots.length, days.size]) }),
    slots.length >= SEARCH_LIMIT ? h('p', { class: 'muted', text: t('There are more times than shown here. Choose a shorter period to see every day.') }) : null,
    h('div', { class: 'row find-tools' }, picker, who), strip, dayBox]);
  const provider = () => (who ? who.querySelector('select').value : '');

  function show(day) {
    picker.querySelector('input').value = day;
    for (const b of strip.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.day === day));
    clear(dayBox);
    const mine = (days.get(day) || []).filter((s) => !provider() || s.provider_id === provider());
    if (!mine.length) {
      const next = dayList.find((d) => d > day && days.get(d).some((s) => !provider() || s.provider_id === provider()));
      dayBox.append(h('p', { class: 'muted', text: next ? t('No free times on {0}. The next day with times is {1}.', [dayName(day), dayName(next)]) : t('No free times on {0}.', [dayName(day)]) }));
      if (next) dayBox.append(h('button', { type: 'button', class: 'secondary', text: t('Show {0}', [dayName(next, 'short')]), onclick: () => show(next) }));
      return;
    }
    dayBox.append(h('h3', { class: 'day-title', text: dayName(day) }));
    const groups = new Map(); // provider -> slots, providers by their best or earliest time
    for (const s of best ? [...mine].sort((a, b) => a.rank - b.rank) : mine) {
      if (!groups.has(s.provider_id)) groups.set(s.provider_id, []);
      groups.get(s.provider_id).push(s);
    }
    for (const [id, times] of groups) dayBox.append(providerGroup(providers.get(id), times.sort(byStart), request, best));
  }
  for (const day of dayList) {
    const count = days.get(day).length;
    strip.append(h('button', { type: 'button', class: 'day-chip', dataset: { day }, 'aria-pressed': 'false', onclick: () => show(day) },
      h('strong', { text: dayName(day, 'short') }), h('span', { text: count === 1 ? t('1 time') : t('{0} times', [count]) })));
  }
  picker.querySelector('input').addEventListener('change', (e) => { if (e.target.value) show(e.target.value); });
  who?.querySelector('select').addEventListener('change', () => show(picker.querySelector('input').value));
  // Earliest: the first day with times. Best fit: the day of the best time.
  show(dayOf(slots[0]));
}

// Parts of the day, by local start hour: a day of times folds into a few short lists.
const PARTS = [[5, t('Morning')], [12, t('Afternoon')], [17, t('Evening')], [22, t('Late night')]];
function partOf(slot) {
  const hour = new Date(slot.time.start).getHours();
  const found = [...PARTS].reverse().find(([from]) => hour >= from);
  return found ? found[1] : PARTS[3][1]; // before 05:00: still the night
}

function providerGroup(name, times, request, best) {
  const chosen = h('div', { class: 'chosen' });
  const topRank = Math.min(...times.map((s) => s.rank));
  const group = h('div', { class: 'provider-group card' }, h('h4', { text: name }));
  const parts = new Map();
  for (const slot of times) {
    if (!parts.has(partOf(slot))) parts.set(partOf(slot), []);
    parts.get(partOf(slot)).push(slot);
  }
  // Open: the part with the best time (best fit) or the earliest part.
  const open = best ? partOf(times.find((s) => s.rank === topRank)) : partOf(times[0]);
  for (const [part, slots] of parts) {
    group.append(h('details', { class: 'part', open: part === open },
      h('summary', { text: slots.length === 1 ? t('{0} · 1 time', [part]) : t('{0} · {1} times', [part, slots.length]) }),
      h('ul', { class: 'times' }, slots.map((slot) => {
        const chip = h('button', { type: 'button', class: `time-chip${best && slot.rank === topRank ? ' best' : ''}`, 'aria-pressed': 'false',
          text: timeOnly(slot.time.start), 'aria-label': t('{0} with {1}', [range(slot.time), name]) });
        chip.addEventListener('click', () => {
          for (const other of group.querySelectorAll('.time-chip')) other.setAttribute('aria-pressed', String(other === chip));
          choose(chosen, slot, name, request);
        });
        return h('li', { class: 'slot' }, chip);
      }))));
  }
  group.append(chosen);
  return group;
}

// The booking panel of one chosen time.
function choose(box, slot, name, request) {
  clear(box);
  const seat = Boolean(slot.group_appointment_id); // a group: take one of its seats
  const book = h('button', { type: 'button', text: seat ? t('Take a seat') : t('Book this time') });
  const series = seat ? null : h('button', { type: 'button', class: 'secondary', text: t('Book a series from here') });
  const out = h('div');
  book.addEventListener('click', async () => {
    book.disabled = true;
    try {
      const appointment = await api.call('scheduling', 'Book', seat
        ? { idempotency_key: api.idempotencyKey(), group_appointment_id: slot.group_appointment_id }
        : {
          idempotency_key: api.idempotencyKey(), officer_id: request.officer_id, provider_id: slot.provider_id,
          session_type: request.session_type, start: slot.time.start,
        });
      clear(out).append(notice('ok', t('Booked: {0}.', [range(appointment.time)]), h('p', {}, h('a', { href: '#/appointments', text: t('See my appointments') }))));
      book.textContent = t('Booked');
    } catch (error) {
      book.disabled = false;
      clear(out).append(failure(error, t('Booking')));
    }
    // The result takes the focus (the button may now be disabled, which would drop it).
    out.firstChild.setAttribute('tabindex', '-1');
    out.firstChild.focus();
  });
  series?.addEventListener('click', () => seriesForm(out, slot, request));
  append(box, [h('p', {}, h('strong', { text: range(slot.time) }), t(' with {0}', [name])),
    slot.reason ? h('p', { class: 'muted slot-reason', text: reasonText(slot.reasons, slot.reason) }) : null,
    h('div', { class: 'actions' }, book, series), out]);
  book.focus();
}

function seriesForm(box, slot, request) {
  clear(box);
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('A series of sessions') }),
    field({ name: 'rotation', label: t('When'), type: 'select', value: '', options: [
      ['', t('Every so many days')],
      ['SERIES_ROTATION_FIRST_DAY_OFF', t('The first day off of each block')],
      ['SERIES_ROTATION_EVERY_KTH_DAY_OFF', t('Every so many days off')],
      ['SERIES_ROTATION_AFTER_LAST_NIGHT', t('The day my last night shift ends')]] }),
    h('div', { class: 'row' },
      field({ name: 'count', label: t('How many'), type: 'number', value: 4, attrs: { min: 2, max: 12 } }),
      field({ name: 'every_days', label: t('Every how many days'), type: 'number', value: 14, attrs: { min: 1, max: 60 } }),
      field({ name: 'tolerance_days', label: t('Give or take days'), type: 'number', value: 2, attrs: { min: 0, max: 7 } }),
      field({ name: 'every_kth', label: t('Every how many days off'), type: 'number', value: 2, attrs: { min: 1, max: 14 } })),
    h('div', { class: 'row' },
      field({ name: 'between.start', label: t('Starting between (optional)'), type: 'time' }),
      field({ name: 'between.end', label: t('and'), type: 'time' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Plan around my shifts') })));
  // Only the fields of the chosen kind of series are shown.
  const rotation = form.querySelector('[data-field="rotation"]');
  const show = () => {
    const kind = rotation.value;
    for (const [name, visible] of [['every_days', !kind], ['tolerance_days', !kind], ['every_kth', kind === 'SERIES_ROTATION_EVERY_KTH_DAY_OFF']]) {
      form.querySelector(`[data-field="${name}"]`).closest('.field').hidden = !visible;
    }
  };
  rotation.addEventListener('change', show);
  show();
  const plan = h('div');
  box.append(form, plan);
  onSubmit(form, async () => {
    const kind = valueOf(form, 'rotation');
    const from = valueOf(form, 'between.start');
    const until = valueOf(form, 'between.end');
    const result = await api.call('scheduling', 'PlanSeries', {
      officer_id: request.officer_id, provider_id: slot.provider_id, session_type: request.session_type,
      count: Number(valueOf(form, 'count')), first_not_before: slot.time.start,
      ...(kind
        ? { rotation: kind, every_kth: Number(valueOf(form, 'every_kth')) }
        : { every_days: Number(valueOf(form, 'every_days')), tolerance_days: Number(valueOf(form, 'tolerance_days')) }),
      ...(from && until ? { between: { start: localTime(from), end: localTime(until) } } : {}),
    });
    clear(plan);
    const confirm = h('button', { type: 'button', text: t('Book these') });
    plan.append(h('ul', { class: 'list' }, (result.slots || []).map((s) =>
      h('li', {}, h('strong', { text: range(s.time) || t('Session {0}', [s.index + 1]) }), s.problem ? h('p', { class: 'field-error', text: reasonText(s.problem_reason, s.problem) }) : null))),
    h('div', { class: 'actions' }, confirm));
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        const booked = await api.call('scheduling', 'BookSeries', { idempotency_key: api.idempotencyKey(), plan_id: result.plan_id, all_or_nothing: false });
        plan.append(notice('ok', (booked.failed || []).length ? t('{0} sessions booked, {1} could not be.', [(booked.booked || []).length, booked.failed.length]) : t('{0} sessions booked.', [(booked.booked || []).length])));
      } catch (error) {
        confirm.disabled = false;
        say(plan, failure(error, t('Booking the series')));
      }
    });
  });
}
