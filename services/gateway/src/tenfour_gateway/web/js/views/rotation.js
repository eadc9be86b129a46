// An officer's shift rotation: the pattern, its preview, one-day changes and the protected times.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, failure, clear, setStatus } from '../dom.js';
import { protectedTime } from '../reasons.js';
import { browserZone, when, range, localTime, localDate, dateText, hhmm, isoDay, addDays, nowPlus, seconds, duration } from '../time.js';
import * as api from '../api.js';

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
