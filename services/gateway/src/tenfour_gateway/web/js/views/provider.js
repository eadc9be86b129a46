// Therapist and peer-supporter pages: days off and changes, calendar import (weekly hours: hours.js).
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { range, localTime, localDate, isoDay, when, dayWords, clock } from '../time.js';

export async function loadRules(me) {
  try {
    return await api.call('availability', 'GetRules', { provider_id: me });
  } catch (error) {
    if (error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

export function saveRules(rules) {
  const { version, updated_at: _u, active: _a, ...body } = rules;
  return api.call('availability', 'SetRules', { rules: body, expected_version: version || 0 });
}

export function conflictText(error) {
  return error.code === 'ABORTED' ? { ...error, message: t('Your hours were changed somewhere else meanwhile. Reload the page and try again.') } : error;
}

// ---------------------------------------------------------------------------- days off and one-off changes

export async function timeOff(main, _params, ctx) {
  const me = ctx.session.user_id;
  let rules;
  try { rules = await loadRules(me); } catch (error) { main.append(failure(error, t('Your hours'))); return; }
  if (!rules) {
    main.append(notice('', t('Set your weekly hours first.')), h('p', {}, h('a', { href: '#/hours', text: t('Weekly hours') })));
    return;
  }
  const current = h('div');
  main.append(current);
  const redraw = () => {
    clear(current);
    const items = [
      ...(rules.time_off || []).map((off, i) => [t('Time off: {0}', [(off.first_day ? t('{0} to {1}', [dayWords(off.first_day), dayWords(off.last_day)]) : range(off.range)) + (off.label ? ` (${off.label})` : '')]), 'time_off', i]),
      ...(rules.overrides || []).map((o, i) => [`${dayWords(o.day)}: ${o.day_off ? t('day off') : (o.windows || []).map((w) => `${clock(w.start)}–${clock(w.end)}`).join(', ')}`, 'overrides', i]),
    ];
    if (!items.length) { current.append(h('p', { class: 'muted', text: t('No time off or changes.') })); return; }
    current.append(h('ul', { class: 'list' }, items.map(([text, kind, i]) => {
      const remove = h('button', { type: 'button', class: 'secondary', text: t('Remove') });
      remove.addEventListener('click', async () => {
        const copy = { ...rules, [kind]: rules[kind].filter((_, j) => j !== i) };
        try { rules = await saveRules(copy); redraw(); } catch (error) { say(current, failure(conflictText(error))); }
      });
      return h('li', {}, h('span', { text }), ' ', remove);
    })));
  };
  redraw();

  const n = () => (rules.time_off || []).length;
  const offForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Time off') }),
    h('div', { class: 'row' },
      field({ name: `rules.time_off[${n()}].first_day`, label: t('First day'), type: 'date', value: isoDay(new Date()) }),
      field({ name: `rules.time_off[${n()}].last_day`, label: t('Last day'), type: 'date', value: isoDay(new Date()) })),
    field({ name: `rules.time_off[${n()}].label`, label: t('Note for yourself (optional)'), hint: t('Only you see it.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Add time off') })));
  onSubmit(offForm, async () => {
    const i = n();
    const entry = { first_day: localDate(valueOf(offForm, `rules.time_off[${i}].first_day`)), last_day: localDate(valueOf(offForm, `rules.time_off[${i}].last_day`)), label: valueOf(offForm, `rules.time_off[${i}].label`) || '' };
    try { rules = await saveRules({ ...rules, time_off: [...(rules.time_off || []), entry] }); } catch (error) { throw conflictText(error); }
    setStatus(t('Time off added.'), 'ok');
    redraw();
  });

  const m = () => (rules.overrides || []).length;
  const dayForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Different hours on one day') }),
    field({ name: `rules.overrides[${m()}].day`, label: t('Date'), type: 'date', value: isoDay(new Date()) }),
    field({ name: `rules.overrides[${m()}].day_off`, label: t('Not available at all that day'), type: 'checkbox' }),
    h('div', { class: 'row' },
      field({ name: `rules.overrides[${m()}].windows[0].start`, label: t('From'), type: 'time', value: '10:00' }),
      field({ name: `rules.overrides[${m()}].windows[0].end`, label: t('To'), type: 'time', value: '14:00' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Add change') })));
  onSubmit(dayForm, async () => {
    const i = m();
    const off = valueOf(dayForm, `rules.overrides[${i}].day_off`);
    const entry = { day: localDate(valueOf(dayForm, `rules.overrides[${i}].day`)), day_off: off,
      windows: off ? [] : [{ start: localTime(valueOf(dayForm, `rules.overrides[${i}].windows[0].start`)), end: localTime(valueOf(dayForm, `rules.overrides[${i}].windows[0].end`)) }] };
    try { rules = await saveRules({ ...rules, overrides: [...(rules.overrides || []), entry] }); } catch (error) { throw conflictText(error); }
    setStatus(t('Change added.'), 'ok');
    redraw();
  });
  main.append(offForm, dayForm);
}

// ---------------------------------------------------------------------------- iCalendar import

export async function importCalendar(main, _params, ctx) {
  const me = ctx.session.user_id;
  await calendarSubscription(main, me);
  const file = h('input', { type: 'file', accept: '.ics,text/calendar', id: 'ics-file' });
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { text: 'Export your own calendar as an .ics file (or copy its text). Busy times block bookings; what they are about is never stored. A new import replaces the last one.' }),
    h('div', { class: 'field' }, h('label', { for: 'ics-file', text: t('Calendar file') }), file),
    field({ name: 'ics', label: t('Or paste the calendar text'), type: 'textarea', attrs: { spellcheck: 'false' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Import busy times') })));
  const out = h('div', { 'aria-live': 'polite' });
  main.append(form, out);
  file.addEventListener('change', async () => {
    if (file.files[0]) form.querySelector('[data-field="ics"]').value = await file.files[0].text();
  });
  onSubmit(form, async () => {
    const result = await api.call('availability', 'ImportBusyCalendar', { provider_id: me, ics: valueOf(form, 'ics') });
    clear(out).append(notice('ok', result.horizon ? t('Imported: {0} busy times up to {1}.', [result.busy_intervals, range(result.horizon).split('–').pop().trim()]) : t('Imported: {0} busy times.', [result.busy_intervals])));
  }, undefined, out);
}

// ---------------------------------------------------------------------------- calendar subscription

async function loadFeed(me) {
  try {
    return await api.call('availability', 'GetBusyCalendarFeed', { provider_id: me });
  } catch (error) {
    if (error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

function feedStatus(feed) {
  const lines = [h('p', { text: t('Following {0}', [feed.url_display]) })];
  lines.push(h('p', { 'data-feed': 'synced', text: feed.last_synced_at ? t('Last synced {0} ({1} busy times).', [when(feed.last_synced_at), feed.busy_intervals]) : t('Not synced yet.') }));
  if (feed.paused) lines.push(h('p', { 'data-feed': 'paused', text: t('Syncing is paused after repeated errors. Fix the link or try again with Sync now.') }));
  else if (feed.next_sync_at) lines.push(h('p', { class: 'muted', text: t('Next check {0}.', [when(feed.next_sync_at)]) }));
  if (feed.last_error) lines.push(h('p', { 'data-feed': 'error', role: 'alert', text: t('Last error: {0}', [feed.last_error]) }));
  return h('div', { class: `notice ${feed.paused || feed.last_error ? 'error' : 'ok'}`, 'data-feed': 'status' }, lines);
}

async function calendarSubscription(main, me) {
  const card = h('section', { class: 'card', 'aria-labelledby': 'feed-title' },
    h('h2', { id: 'feed-title', text: t('Follow your calendar') }),
    h('p', { text: t('Paste the private iCal (.ics) address of your Google, Outlook or practice calendar. Tenfour checks it every 15 minutes and keeps only when you are busy, never what your events are about.') }));
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    field({ name: 'url', label: t('Calendar address (iCal link)'), type: 'url', attrs: { autocomplete: 'off', spellcheck: 'false', placeholder: 'https://' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Follow this calendar') })));
  const actions = h('div', { class: 'actions' });
  card.append(status, form, actions);
  main.append(card);

  function show(feed) {
    clear(status);
    clear(actions);
    if (!feed) return;
    status.append(feedStatus(feed));
    const sync = h('button', { type: 'button', class: 'secondary', text: t('Sync now') });
    const stop = h('button', { type: 'button', class: 'secondary', text: t('Stop following') });
    sync.addEventListener('click', async () => {
      sync.disabled = true;
      try { show(await api.call('availability', 'SyncBusyCalendarFeed', { provider_id: me })); } catch (error) { say(status, failure(error, t('Sync now'))); } finally { sync.disabled = false; }
    });
    stop.addEventListener('click', async () => {
      try { await api.call('availability', 'UnsubscribeBusyCalendar', { provider_id: me }); show(null); setStatus(t('Tenfour no longer follows that calendar. Busy times from its last sync stay until you import again.'), 'ok'); } catch (error) { say(status, failure(error, t('Stop following'))); }
    });
    actions.append(sync, stop);
  }

  onSubmit(form, async () => {
    const feed = await api.call('availability', 'SubscribeBusyCalendar', { provider_id: me, url: valueOf(form, 'url') });
    form.reset();
    show(feed);
    setStatus(t('Calendar followed.'), 'ok');
  });
  try { show(await loadFeed(me)); } catch (error) { status.append(failure(error, t('Calendar subscription'))); }
}
