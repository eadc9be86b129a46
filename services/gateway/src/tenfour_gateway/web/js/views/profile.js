// A therapist's or peer supporter's own profile: what officers see when they book (name, a few
// words, languages), whether they take new clients, and whether they take urgent calls. Urgent
// requests are offered only to providers on call (modality crisis_on_call) during a window that
// offers "Urgent" on the Hours page: this is where the first half is switched on.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, failure, setStatus } from '../dom.js';
import * as api from '../api.js';

export const ON_CALL = 'crisis_on_call';

export async function loadProfile() {
  return api.call('identity', 'GetProviderProfile', {});
}

export async function profile(main) {
  let stored;
  try { stored = await loadProfile(); } catch (error) { main.append(failure(error, t('Your profile'))); return; }
  const modalities = new Set(stored.modalities || []);
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('What officers see') }),
    field({ name: 'profile.display_name', label: t('Your name as officers see it'), value: stored.display_name || '' }),
    field({ name: 'profile.bio', label: t('A few words about you'), type: 'textarea', value: stored.bio || '',
      hint: t('Your approach and experience. No contact details: officers reach you through Tenfour.') }),
    field({ name: 'profile.languages', label: t('Languages you hold sessions in'), value: (stored.languages || []).join(', '),
      hint: t('Language codes separated by commas, for example: en, es') }),
    h('h2', { text: t('What you take') }),
    field({ name: 'profile.accepting_new_clients', label: t('I take new clients'), type: 'checkbox', value: stored.accepting_new_clients !== false }),
    field({ name: 'profile.modalities', label: t('I take urgent calls'), type: 'checkbox', value: modalities.has(ON_CALL),
      hint: t('Officers who ask to talk to someone now are offered to you during the hours you mark "Urgent".') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save profile') })));
  main.append(form);
  onSubmit(form, async () => {
    const wanted = new Set(modalities);
    if (valueOf(form, 'profile.modalities')) wanted.add(ON_CALL); else wanted.delete(ON_CALL);
    const languages = String(valueOf(form, 'profile.languages') || '').split(',').map((s) => s.trim()).filter(Boolean);
    // UpdateProviderProfile replaces the whole profile: everything not on this page is sent back as it is.
    stored = await api.call('identity', 'UpdateProviderProfile', { profile: {
      ...stored, active: undefined, first_responder_competent: undefined,
      display_name: String(valueOf(form, 'profile.display_name') || ''),
      bio: String(valueOf(form, 'profile.bio') || ''),
      languages,
      accepting_new_clients: Boolean(valueOf(form, 'profile.accepting_new_clients')),
      modalities: [...wanted],
    } });
    modalities.clear();
    for (const m of stored.modalities || []) modalities.add(m);
    setStatus(t('Profile saved.'), 'ok');
  });
}
