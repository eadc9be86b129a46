// An officer's own scheduling preferences: where they live (which clinicians' licences count),
// the hours and days that suit them (ranked first), and their usual sleep (kept free of sessions).
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, failure, setStatus } from '../dom.js';
import * as api from '../api.js';
import { hhmm, localTime, clock } from '../time.js';
import { US_JURISDICTIONS } from '../us_jurisdictions.js';

// The list officers choose from; a stored code outside it (set through the API) stays choosable.
function places(current) {
  const known = US_JURISDICTIONS.some(([code]) => code === current);
  return [['', t('Not set')], ...(current && !known ? [[current, current]] : []), ...US_JURISDICTIONS];
}

export async function preferences(main) {
  let stored;
  let policy = {};
  try {
    stored = await api.call('scheduling', 'GetPreferences', {});
    policy = await api.call('scheduling', 'GetFatiguePolicy', {}).catch(() => ({}));
  } catch (error) {
    main.append(failure(error, t('My preferences')));
    return;
  }
  const agencySleep = t('{0} to {1}', [clock(policy.usual_sleep_start || { hour: 23 }), clock(policy.usual_sleep_end || { hour: 7 })]);
  const own = stored.usual_sleep;
  const ranges = h('div', { class: 'hour-ranges' });
  const add = h('button', { type: 'button', class: 'secondary', text: t('Add a time range') });
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Where you live') }),
    h('p', { text: t('Clinicians are offered to you only when they hold a licence valid there on the day of the session. Peer supporters are offered wherever you live.') }),
    field({ name: 'preferences.jurisdiction', label: t('Your state or jurisdiction'), type: 'select', value: stored.jurisdiction || '',
      options: places(stored.jurisdiction) }),
    h('h2', { text: t('When sessions suit you') }),
    h('p', { class: 'muted', text: t('Times that fit these come first in "Find a time". Other times are still offered.') }),
    h('fieldset', {}, h('legend', { text: t('Hours that suit me') }), ranges, h('div', { class: 'actions' }, add)),
    field({ name: 'preferences.prefer_days_off', label: t('Days off first'), type: 'checkbox', value: stored.prefer_days_off }),
    field({ name: 'preferences.avoid_day_before_night_block', label: t('Never on the day before a run of night shifts'), type: 'checkbox', value: stored.avoid_day_before_night_block }),
    h('h2', { text: t('Your usual sleep') }),
    h('p', { text: t('No session is offered while you usually sleep, on nights you are not working a night shift. Your agency\'s default is {0}.', [agencySleep]) }),
    field({ name: 'preferences.own_sleep', label: t('I sleep at other times'), type: 'checkbox', value: Boolean(own) }),
    field({ name: 'preferences.usual_sleep.start', label: t('I usually go to sleep at'), type: 'time', value: own ? hhmm(own.start) : hhmm(policy.usual_sleep_start || { hour: 23 }) }),
    field({ name: 'preferences.usual_sleep.end', label: t('I usually wake up at'), type: 'time', value: own ? hhmm(own.end) : hhmm(policy.usual_sleep_end || { hour: 7 }), hint: t('At most 14 hours after you go to sleep.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save preferences') })));
  main.append(form);
  const ownBox = form.querySelector('[data-field="preferences.own_sleep"]');
  const times = ['preferences.usual_sleep.start', 'preferences.usual_sleep.end'].map((name) => form.querySelector(`[data-field="${name}"]`));
  const sync = () => times.forEach((el) => { el.disabled = !ownBox.checked; });
  ownBox.addEventListener('change', sync);
  sync();

  const addRange = (r) => {
    const i = ranges.children.length;
    const row = h('div', { class: 'row hour-range' },
      field({ name: `preferences.preferred_hours[${i}].start`, label: t('From'), type: 'time', value: hhmm(r.start || { hour: 18 }) }),
      field({ name: `preferences.preferred_hours[${i}].end`, label: t('To'), type: 'time', value: hhmm(r.end || { hour: 21 }) }));
    const remove = h('button', { type: 'button', class: 'secondary', text: t('Remove'), 'aria-label': t('Remove time range {0}', [i + 1]) });
    remove.addEventListener('click', () => { row.remove(); renumber(); });
    row.append(remove);
    ranges.append(row);
  };
  // Field names carry the row's index so the server's "preferred_hours[1].end" lands on its row.
  const renumber = () => {
    [...ranges.children].forEach((row, i) => {
      for (const el of row.querySelectorAll('[data-field]')) el.dataset.field = el.dataset.field.replace(/preferred_hours\[\d+\]/, `preferred_hours[${i}]`);
      row.querySelector('button.secondary')?.setAttribute('aria-label', t('Remove time range {0}', [i + 1]));
    });
  };
  for (const r of stored.preferred_hours || []) addRange(r);
  add.addEventListener('click', () => addRange({}));
  onSubmit(form, async () => {
    const jurisdiction = String(valueOf(form, 'preferences.jurisdiction') || '');
    const usualSleep = ownBox.checked
      ? { start: localTime(valueOf(form, 'preferences.usual_sleep.start')), end: localTime(valueOf(form, 'preferences.usual_sleep.end')) }
      : undefined;
    // The other preferences are kept as they are: SetPreferences replaces the whole record.
    const preferredHours = [...ranges.children].map((row, i) => ({
      start: localTime(valueOf(row, `preferences.preferred_hours[${i}].start`)),
      end: localTime(valueOf(row, `preferences.preferred_hours[${i}].end`)),
    }));
    stored = await api.call('scheduling', 'SetPreferences', { preferences: {
      ...stored, officer_id: undefined, jurisdiction, usual_sleep: usualSleep, preferred_hours: preferredHours,
      prefer_days_off: valueOf(form, 'preferences.prefer_days_off'),
      avoid_day_before_night_block: valueOf(form, 'preferences.avoid_day_before_night_block'),
    } });
    form.querySelector('[data-field="preferences.jurisdiction"]').value = stored.jurisdiction || '';
    setStatus(t('Preferences saved.'), 'ok');
  });
}
