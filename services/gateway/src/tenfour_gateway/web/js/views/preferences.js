// An officer's own scheduling preferences: where they live (which clinicians' licences count).
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, failure, setStatus } from '../dom.js';
import * as api from '../api.js';

export async function preferences(main) {
  let stored;
  try {
    stored = await api.call('scheduling', 'GetPreferences', {});
  } catch (error) {
    main.append(failure(error, t('My preferences')));
    return;
  }
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Where you live') }),
    h('p', { text: t('Clinicians are offered to you only when they hold a licence valid there on the day of the session. Peer supporters are offered wherever you live.') }),
    field({ name: 'preferences.jurisdiction', label: t('Your state or jurisdiction'), value: stored.jurisdiction || '',
      hint: t('Its code, for example US-CA for California. Empty: not set.'), attrs: { autocomplete: 'off', maxlength: 6 } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save preferences') })));
  main.append(form);
  onSubmit(form, async () => {
    const jurisdiction = String(valueOf(form, 'preferences.jurisdiction') || '').trim().toUpperCase();
    // The other preferences are kept as they are: SetPreferences replaces the whole record.
    stored = await api.call('scheduling', 'SetPreferences', { preferences: { ...stored, officer_id: undefined, jurisdiction } });
    form.querySelector('[data-field="preferences.jurisdiction"]').value = stored.jurisdiction || '';
    setStatus(t('Preferences saved.'), 'ok');
  });
}
