// Warm handoff: a peer supporter refers an officer they support to clinicians (or the pool);
// the officer agrees or not, and books from the referral or asks the clinician to propose times
// (referral_times.js); clinicians see their queue.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { when } from '../time.js';
import { learnNames } from './upcoming.js';
import { officerTimes, clinicianTimes } from './referral_times.js';

const STATES = {
  REFERRAL_STATE_PROPOSED: t('Waiting for an answer'),
  REFERRAL_STATE_CONSENTED: t('Agreed'),
  REFERRAL_STATE_DECLINED: t('Declined'),
  REFERRAL_STATE_BOOKED: t('Booked'),
  REFERRAL_STATE_EXPIRED: t('Expired'),
};

async function clinicians() {
  try {
    const found = (await api.call('identity', 'ListProviders', {})).providers || [];
    return found.filter((p) => p.kind === 'PROVIDER_KIND_THERAPIST').map((p) => [p.provider_id, p.display_name || p.provider_id]);
  } catch {
    return [];
  }
}

async function list() {
  return (await api.call('scheduling', 'ListReferrals', {})).referrals || [];
}

// The peer supporter's page.
export async function refer(main, params = []) {
  let mine;
  let sessions;
  try {
    mine = await list();
    sessions = (await api.call('scheduling', 'ListAppointments', { include_past: true })).appointments || [];
  } catch (error) {
    main.append(failure(error, t('Refer to a clinician')));
    return;
  }
  const names = new Map();
  await learnNames(sessions, names);
  const officers = [...new Set(sessions.flatMap((a) => a.officer_ids || []))];
  const pool = await clinicians();
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { text: t('Suggest that someone you support talks with a clinician. They decide; you will see only whether they agreed, and that they booked if they allow it.') }),
    field({ name: 'referral.officer_id', label: t('Who'), type: 'select', required: true, value: params[0] || '',
      options: [['', t('Choose…')], ...officers.map((id) => [id, names.get(id) || t('Someone you had a session with')])] }),
    field({ name: 'referral.clinician_ids', label: t('Clinician'), type: 'select', value: '',
      options: [['', t('Any clinician of our agency')], ...pool] }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Send the referral') })));
  const made = h('div', { class: 'referrals', 'aria-live': 'polite' });
  main.append(form, h('h2', { text: t('Referrals you made') }), made);
  const show = () => {
    clear(made);
    if (!mine.length) made.append(notice('', t('No referral yet.')));
    for (const r of mine) {
      made.append(h('section', { class: 'card referral', 'data-referral': r.referral_id },
        h('p', { text: t('{0}, suggested {1}', [names.get(r.officer_id) || t('Someone you support'), when(r.created_at)]) }),
        h('p', { class: 'referral-state', text: STATES[r.state] || '' })));
    }
  };
  show();
  onSubmit(form, async () => {
    const clinician = valueOf(form, 'referral.clinician_ids');
    await api.call('scheduling', 'ProposeReferral', { officer_id: valueOf(form, 'referral.officer_id') || '', clinician_ids: clinician ? [clinician] : [] });
    setStatus(t('Referral sent. They will see it in Tenfour.'), 'ok');
    mine = await list();
    show();
  });
}

async function times(referral) {
  const found = await api.call('scheduling', 'FindSlots', { limit: 200, filters: { provider_kind: 'PROVIDER_KIND_THERAPIST' } });
  const wanted = referral.clinician_ids || [];
  return (found.slots || []).filter((s) => !wanted.length || wanted.includes(s.provider_id)).slice(0, 6);
}

// The officer's page.
export async function referrals(main) {
  const box = h('div', { class: 'referrals', 'aria-live': 'polite' });
  main.append(h('p', { text: t('A peer supporter may suggest that you talk with a clinician. Nothing happens unless you agree; what you book stays between you and the clinician.') }), box);
  async function load() {
    clear(box);
    let found;
    try { found = await list(); } catch (error) { box.append(failure(error, t('Referrals'))); return; }
    const mine = found.filter((r) => r.state !== 'REFERRAL_STATE_UNSPECIFIED');
    if (!mine.length) box.append(notice('', t('No referral for you.')));
    for (const r of mine) box.append(await card(r));
  }
  async function card(r) {
    const section = h('section', { class: 'card referral', 'data-referral': r.referral_id, 'data-state': r.state },
      h('h3', { text: t('Talk with a clinician') }),
      h('p', { class: 'referral-state', text: STATES[r.state] || '' }),
      h('p', { class: 'muted', text: t('Suggested {0}; open until {1}.', [when(r.created_at), when(r.expires_at)]) }));
    const act = async (work, done) => {
      try { await work(); setStatus(done, 'ok'); await load(); } catch (error) { say(section, failure(error)); }
    };
    if (r.state === 'REFERRAL_STATE_PROPOSED') {
      const share = field({ name: `share.${r.referral_id}`, label: t('Let my peer supporter see that I booked'), type: 'checkbox' });
      const yes = h('button', { type: 'button', text: t('Yes, I agree') });
      const no = h('button', { type: 'button', class: 'secondary', text: t('No, thanks') });
      const shared = () => share.querySelector('input').checked;
      yes.addEventListener('click', () => act(() => api.call('scheduling', 'AnswerReferral', { referral_id: r.referral_id, consent: true, share_booked_with_peer: shared() }), t('Thank you. Choose a time below.')));
      no.addEventListener('click', () => act(() => api.call('scheduling', 'AnswerReferral', { referral_id: r.referral_id, consent: false }), t('Declined. Your peer supporter sees only that.')));
      section.append(share, h('div', { class: 'actions' }, yes, no));
    } else if (r.state === 'REFERRAL_STATE_CONSENTED') {
      let slots = [];
      try { slots = await times(r); } catch (error) { say(section, failure(error)); }
      if (!slots.length) section.append(notice('', t('No time fits your shifts and sleep yet. Look again later.')));
      const ul = h('ul', { class: 'referral-times' });
      for (const s of slots) {
        const book = h('button', { type: 'button', text: t('Book') });
        book.addEventListener('click', () => act(() => api.call('scheduling', 'BookReferral', {
          referral_id: r.referral_id, provider_id: s.provider_id, start: s.time.start, idempotency_key: `${r.referral_id}-${s.time.start}`,
        }), t('Booked. It is in your appointments.')));
        ul.append(h('li', { class: 'referral-time', 'data-start': s.time.start }, h('span', { text: t('{0} with {1}', [when(s.time.start), s.provider_display_name || '']) }), ' ', book));
      }
      section.append(ul, officerTimes(r, act, load));
    }
    return section;
  }
  await load();
}

// The clinician's queue.
export async function referred(main) {
  main.append(h('p', { text: t('Officers who agreed to a referral to you (or to any clinician of their agency licensed where they live). Who referred them is not shown.') }));
  const box = h('div', { class: 'referrals', 'aria-live': 'polite' });
  main.append(box);
  async function load() {
    clear(box);
    let found;
    try { found = await list(); } catch (error) { box.append(failure(error, t('Referrals'))); return; }
    if (!found.length) box.append(notice('', t('No referral for you.')));
    for (const r of found) {
      box.append(h('section', { class: 'card referral', 'data-referral': r.referral_id },
        h('p', { class: 'referral-agreed', text: r.answered_at ? t('Agreed {0}', [when(r.answered_at)]) : t('Agreed') }),
        h('p', { class: 'referral-state', text: r.appointment_id ? t('Booked with you') : STATES[r.state] || '' }),
        clinicianTimes(r, load)));
    }
  }
  await load();
}
