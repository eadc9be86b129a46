// An officer's waiting lists: wait for a provider (or anyone) within a window; a freed time is
// held for the first officer waiting, who books it or lets it go from here.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import { when } from '../time.js';

const STATES = {
  WAITLIST_STATE_WAITING: t('Waiting'),
  WAITLIST_STATE_OFFERED: t('A time is held for you'),
  WAITLIST_STATE_BOOKED: t('Booked'),
  WAITLIST_STATE_DECLINED: t('You let the time go'),
  WAITLIST_STATE_EXPIRED: t('Ended'),
  WAITLIST_STATE_LEFT: t('You left this list'),
};

// A datetime-local value (the browser's zone) as an instant; and back, for the defaults.
const instant = (text) => (text ? new Date(text).toISOString() : undefined);
const localValue = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);

async function providers() {
  // The providers an officer can book are the ones their searches show.
  try {
    const found = await api.call('scheduling', 'FindSlots', { limit: 200, horizon: `${30 * 86400}s` });
    const names = new Map();
    for (const s of found.slots || []) names.set(s.provider_id, s.provider_display_name || s.provider_id);
    return [...names.entries()];
  } catch {
    return [];
  }
}

function entryCard(entry, names, reload) {
  const card = h('section', { class: 'card waitlist-entry', 'data-entry': entry.entry_id, 'data-state': entry.state });
  const who = entry.provider_id ? (names.get(entry.provider_id) || t('Your chosen provider')) : t('Any provider');
  card.append(
    h('h3', { text: who }),
    h('p', { text: t('Between {0} and {1}', [when(entry.window?.start), when(entry.window?.end)]) }),
    h('p', { class: 'waitlist-state', text: STATES[entry.state] || '' }));
  const act = async (work, done) => {
    try {
      await work();
      setStatus(done, 'ok');
      await reload();
    } catch (error) { card.append(failure(error)); }
  };
  if (entry.state === 'WAITLIST_STATE_OFFERED') {
    const name = entry.offered_provider_display_name || names.get(entry.offered_provider_id) || '';
    card.append(h('p', { class: 'offer', text: t('{0} with {1}, held for you until {2}.', [when(entry.offered_time?.start), name, when(entry.offer_until)]) }));
    const accept = h('button', { type: 'button', text: t('Book this time') });
    const decline = h('button', { type: 'button', class: 'secondary', text: t('Let it go') });
    accept.addEventListener('click', () => act(() => api.call('scheduling', 'AnswerWaitlistOffer', { entry_id: entry.entry_id, accept: true }), t('Booked. It is in your appointments.')));
    decline.addEventListener('click', () => act(() => api.call('scheduling', 'AnswerWaitlistOffer', { entry_id: entry.entry_id, accept: false }), t('The time goes to the next person waiting.')));
    card.append(h('div', { class: 'actions' }, accept, decline));
  } else if (entry.state === 'WAITLIST_STATE_WAITING') {
    const leave = h('button', { type: 'button', class: 'secondary', text: t('Leave the list') });
    leave.addEventListener('click', () => act(() => api.call('scheduling', 'LeaveWaitlist', { entry_id: entry.entry_id }), t('You left the list.')));
    card.append(h('div', { class: 'actions' }, leave));
  }
  return card;
}

export async function waitlist(main) {
  const names = new Map(await providers());
  const start = new Date(Date.now() + 3600000);
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Wait for a time') }),
    h('p', { text: t('When a session in this window is cancelled, it is held for 15 minutes for the first person waiting whose shifts and sleep it fits. If that is you, we tell you at once.') }),
    field({ name: 'waitlist.provider_id', label: t('With'), type: 'select', value: '', options: [['', t('Any provider')], ...names.entries()] }),
    field({ name: 'window.start', label: t('From'), type: 'datetime-local', required: true, value: localValue(start) }),
    field({ name: 'window.end', label: t('Until'), type: 'datetime-local', required: true, value: localValue(new Date(start.getTime() + 7 * 86400000)), hint: t('At most 90 days ahead.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Join the waiting list') })));
  const list = h('div', { class: 'waitlist-entries', 'aria-live': 'polite' });
  main.append(form, h('h2', { text: t('Your waiting lists') }), list);

  async function load() {
    clear(list);
    let entries = [];
    try {
      entries = (await api.call('scheduling', 'ListWaitlist', {})).entries || [];
    } catch (error) { list.append(failure(error, t('Your waiting lists'))); return; }
    if (!entries.length) list.append(notice('', t('You are not waiting for any time.')));
    for (const entry of entries) list.append(entryCard(entry, names, load));
  }
  onSubmit(form, async () => {
    await api.call('scheduling', 'JoinWaitlist', {
      provider_id: valueOf(form, 'waitlist.provider_id') || '',
      window: { start: instant(valueOf(form, 'window.start')), end: instant(valueOf(form, 'window.end')) },
    });
    setStatus(t('You are on the waiting list.'), 'ok');
    await load();
  });
  await load();
}
