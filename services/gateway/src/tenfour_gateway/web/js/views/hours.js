// A therapist's or peer supporter's weekly hours: the week as a grid (quick editing) and the
// same hours as a list of windows (exact times, what each window offers). Both edit one set of
// windows and save through availability's SetRules.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, setStatus, clear } from '../dom.js';
import * as api from '../api.js';
import { browserZone, localTime, hhmm, clock, WEEKDAYS } from '../time.js';
import { weekGrid } from '../week_grid.js';
import { loadRules, saveRules, conflictText } from './provider.js';
import { loadProfile, ON_CALL } from './profile.js';

const OFFERS = [['SESSION_TYPE_INDIVIDUAL', t('One to one')], ['SESSION_TYPE_GROUP', t('Group')], ['SESSION_TYPE_CRISIS', t('Urgent')]];

export async function hours(main, _params, ctx) {
  const me = ctx.session.user_id;
  let rules;
  let noHoursYet = [];
  let onCall = true; // unknown stays quiet: the warning below is for a known gap only
  try {
    [rules, onCall] = await Promise.all([loadRules(me),
      loadProfile().then((p) => (p.modalities || []).includes(ON_CALL), () => true)]);
  } catch (error) { main.append(failure(error, t('Your hours'))); return; }
  main.append(h('p', { text: t('When people can book you, every week. A window may run past midnight: 22:00 to 06:00 ends the next morning.') }));
  if (!rules) {
    const quick = h('button', { type: 'button', class: 'secondary', text: t('Start with Monday to Friday, 9 to 5') });
    quick.addEventListener('click', async () => {
      try {
        await api.call('availability', 'UseDefaultRules', { provider_id: me, timezone: browserZone() });
        ctx.navigate('hours');
      } catch (error) { main.append(failure(error, t('Default hours'))); }
    });
    const none = notice('', t('You have no hours yet, so nobody can book you.'));
    const actions = h('div', { class: 'actions' }, quick);
    main.append(none, actions);
    noHoursYet = [none, actions];
    rules = { provider_id: me, timezone: browserZone(), weekly: [], overrides: [], time_off: [], sessions: [] };
  }
  const rows = h('div', { class: 'weekly' });
  const zone = rules.timezone || browserZone();
  const grid = weekGrid({ weekly: rules.weekly || [], zone, onChange: (weekly) => { clear(rows); weekly.forEach(addRow); showOffCall(); } });
  const form = h('form', { class: 'card', novalidate: true },
    field({ name: 'rules.timezone', label: t('Time zone'), value: zone }),
    h('fieldset', {}, h('legend', { text: t('Your week') }),
      h('p', { class: 'hint', id: 'grid-hint', text: t('Click or drag across the half hours you can take bookings; click again to remove them. With the keyboard: arrow keys, then Space or Enter.') }),
      grid.el),
    h('fieldset', {}, h('legend', { text: t('Weekly windows') }), rows,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary add', text: t('Add a window') }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save hours') })));
  // Urgent windows only reach anyone when the profile says "I take urgent calls".
  const offCall = h('div', { class: 'notice warn urgent-off', role: 'status', hidden: true },
    h('p', { text: t('You offer urgent help in some windows, but you do not take urgent calls yet, so nobody will be offered to you.') }),
    h('p', {}, h('a', { href: '#/profile', text: t('Turn on urgent calls in your profile') })));
  main.append(offCall, form);
  const showOffCall = () => {
    offCall.hidden = onCall || !rows.querySelector('[data-field$=".offers.SESSION_TYPE_CRISIS"]:checked');
  };
  form.addEventListener('change', showOffCall);

  const readWeekly = () => [...rows.children].map((row, i) => ({
    weekday: valueOf(row, `rules.weekly[${i}].weekday`),
    start: localTime(valueOf(row, `rules.weekly[${i}].start`)),
    end: localTime(valueOf(row, `rules.weekly[${i}].end`)),
    offers: OFFERS.map(([v]) => v).filter((v) => valueOf(row, `rules.weekly[${i}].offers.${v}`)),
  }));
  function addRow(w) {
    const i = rows.children.length;
    const offers = new Set(w.offers && w.offers.length ? w.offers : ['SESSION_TYPE_INDIVIDUAL']);
    const note = h('p', { class: 'hint overnight' });
    const row = h('div', { class: 'row window' },
      field({ name: `rules.weekly[${i}].weekday`, label: t('Day'), type: 'select', value: w.weekday || 'WEEKDAY_MONDAY', options: WEEKDAYS }),
      field({ name: `rules.weekly[${i}].start`, label: t('From'), type: 'time', value: hhmm(w.start || { hour: 9 }) }),
      field({ name: `rules.weekly[${i}].end`, label: t('To'), type: 'time', value: hhmm(w.end || { hour: 17 }) }),
      h('fieldset', { class: 'offers' }, h('legend', { text: t('Offers') }),
        OFFERS.map(([value, text]) => field({ name: `rules.weekly[${i}].offers.${value}`, label: text, type: 'checkbox', value: offers.has(value) }))),
      note);
    const remove = h('button', { type: 'button', class: 'secondary', text: t('Remove'), 'aria-label': t('Remove window {0}', [i + 1]) });
    remove.addEventListener('click', () => { row.remove(); renumber(); grid.render(readWeekly()); });
    row.append(remove);
    const update = () => {
      const s = valueOf(row, `rules.weekly[${row.dataset.index}].start`); const e = valueOf(row, `rules.weekly[${row.dataset.index}].end`);
      note.textContent = e && s && e <= s ? t('Runs overnight: ends the next day.') : '';
    };
    row.dataset.index = i;
    row.addEventListener('input', () => { update(); grid.render(readWeekly()); });
    rows.append(row);
    update();
  }
  // Field names carry the row's index so the server's "rules.weekly[2].end" lands on the right row.
  const renumber = () => {
    [...rows.children].forEach((row, i) => {
      const old = row.dataset.index;
      row.dataset.index = i;
      for (const el of row.querySelectorAll('[data-field]')) el.dataset.field = el.dataset.field.replace(`rules.weekly[${old}]`, `rules.weekly[${i}]`);
    });
  };
  for (const w of rules.weekly || []) addRow(w);
  showOffCall();
  form.querySelector('button.add').addEventListener('click', () => { addRow({}); grid.render(readWeekly()); });

  let weekly = [];
  // The refused windows are marked on the grid too, described by their row's messages.
  const describe = (i) => [...(rows.children[i]?.querySelectorAll('.field-error') || [])].map((p) => p.id).join(' ');
  onSubmit(form, async () => {
    weekly = readWeekly();
    const clashes = overlaps(weekly);
    if (Object.keys(clashes).length) throw { code: 'INVALID_ARGUMENT', message: '', fields: clashes };
    try {
      rules = await saveRules({ ...rules, timezone: String(valueOf(form, 'rules.timezone')).trim(), weekly });
    } catch (error) { throw conflictText(error); }
    setStatus(t('Hours saved.'), 'ok');
    noHoursYet.forEach((el) => el.remove());
  }, (error) => grid.showErrors(error.fields, weekly, describe));
}

// Windows that share time, as a message on the later row in plain words (the service refuses
// them too, naming request paths). The week is a cycle: Sunday night runs into Monday.
const WEEK = 7 * 1440;
function overlaps(weekly) {
  const placed = weekly.map((w, i) => {
    const day = WEEKDAYS.findIndex(([v]) => v === w.weekday);
    const start = day * 1440 + w.start.hour * 60 + w.start.minute;
    let end = day * 1440 + w.end.hour * 60 + w.end.minute;
    if (end <= start) end += 1440; // overnight
    return { i, start, end, w, day };
  });
  const out = {};
  for (const later of placed) {
    const earlier = placed.find((e) => e.i < later.i && [-WEEK, 0, WEEK].some((shift) => e.start + shift < later.end && later.start < e.end + shift));
    if (earlier) {
      out[`rules.weekly[${later.i}]`] = t('This window overlaps {0} {1}–{2}. Merge them, or make one end where the other starts.',
        [WEEKDAYS[earlier.day][1], clock(earlier.w.start), clock(earlier.w.end)]);
    }
  }
  return out;
}
