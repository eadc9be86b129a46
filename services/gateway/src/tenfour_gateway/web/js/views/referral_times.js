// Warm handoff, the clinician proposes times: the officer asks (with an optional note on the
// days or times that suit them), the clinician proposes 1-3 times from their referral queue, the
// officer picks one (booked) or lets them run out (48 hours).
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, setStatus } from '../dom.js';
import * as api from '../api.js';
import { when } from '../time.js';

const open = (r) => Boolean(r.proposed && Date.parse(r.proposed.expires_at) > Date.now());

// The officer's part of a referral they agreed to. `act(work, done)` runs a call and reloads.
export function officerTimes(r, act, reload) {
  const part = h('div', { class: 'referral-proposals' });
  if (open(r)) {
    part.append(h('h4', { text: t('Times the clinician proposed') }),
      h('p', { class: 'muted', text: t('Pick one before {0}. Nothing is booked until you do.', [when(r.proposed.expires_at)]) }));
    const ul = h('ul', { class: 'proposed-times' });
    for (const time of r.proposed.times || []) {
      const pick = h('button', { type: 'button', text: t('Pick this time') });
      pick.addEventListener('click', () => act(() => api.call('scheduling', 'PickReferralTime', { referral_id: r.referral_id, start: time.start }), t('Booked. It is in your appointments.')));
      ul.append(h('li', { class: 'proposed-time', 'data-start': time.start }, h('span', { text: when(time.start) }), ' ', pick));
    }
    part.append(ul);
    return part;
  }
  if (r.times_requested_at && !r.proposed) {
    part.append(notice('', t('You asked the clinician to propose times. You will be told when they do.')));
    return part;
  }
  if (r.proposed) part.append(notice('', t('The proposed times ran out. You can ask again.')));
  const form = h('form', { class: 'ask-times', novalidate: true },
    field({ name: 'note', label: t('Days or times that suit you (optional)'), type: 'textarea', hint: t('Only the clinician sees this.'), attrs: { maxlength: 300 } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', text: t('Ask the clinician to propose times') })));
  onSubmit(form, async () => {
    await api.call('scheduling', 'RequestReferralTimes', { referral_id: r.referral_id, note: valueOf(form, 'note') || '' });
    setStatus(t('Asked. You will be told when times are proposed.'), 'ok');
    await reload();
  });
  part.append(form);
  return part;
}

// The clinician's part of a referral in their queue: the request, the note, the times form.
export function clinicianTimes(r, reload) {
  if (r.state !== 'REFERRAL_STATE_CONSENTED' || !r.times_requested_at) return null;
  const part = h('div', { class: 'times-request' },
    h('p', { text: t('Asked you to propose times {0}.', [when(r.times_requested_at)]) }));
  if (r.times_note) part.append(h('blockquote', { class: 'times-note', text: r.times_note }));
  if (open(r)) {
    const times = (r.proposed.times || []).map((x) => when(x.start)).join(', ');
    part.append(h('p', { class: 'muted', text: t('Proposed: {0}. Open until {1}.', [times, when(r.proposed.expires_at)]) }));
    return part;
  }
  const form = h('form', { class: 'propose-times', novalidate: true },
    [0, 1, 2].map((i) => field({ name: `starts[${i}]`, label: t('Time {0}', [i + 1]), type: 'datetime-local', required: i === 0 })),
    h('p', { class: 'hint', text: t('Each time is checked against your hours, your licence, and the shifts and rest of the officer.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Propose these times') })));
  onSubmit(form, async () => {
    const filled = [0, 1, 2].filter((i) => valueOf(form, `starts[${i}]`));
    const starts = filled.map((i) => new Date(valueOf(form, `starts[${i}]`)).toISOString());
    try {
      await api.call('scheduling', 'ProposeReferralTimes', { referral_id: r.referral_id, starts });
    } catch (error) {
      // The request numbers only the filled times: point each message at its own field.
      const own = (path) => {
        const n = /^starts\[(\d+)\]$/.exec(path);
        return n ? `starts[${filled[Number(n[1])] ?? 0}]` : path;
      };
      if (error && error.fields) {
        error.fields = Object.fromEntries(Object.entries(error.fields).map(([path, message]) => [own(path), message]));
        error.fieldReasons = Object.fromEntries(Object.entries(error.fieldReasons || {}).map(([path, list]) => [own(path), list]));
      }
      // A time that does not fit ("time 2 (Thu 05 Mar 02:00 CST): ...") is said next to it.
      const unfit = /^time (\d+) \([^)]*\): (.*)$/.exec(String(error?.message || ''));
      if (unfit && error.fields && !Object.keys(error.fields).length) {
        const why = /shifts or rest/.test(unfit[2]) ? t('does not fit the shifts or rest of the officer') : unfit[2];
        error.fields = { [`starts[${filled[Number(unfit[1]) - 1] ?? 0}]`]: why };
      }
      throw error;
    }
    setStatus(t('Times sent. The officer is told.'), 'ok');
    await reload();
  });
  part.append(form);
  return part;
}
