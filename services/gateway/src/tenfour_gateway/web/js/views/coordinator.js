// Coordinator (agency admin) and system admin pages.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { browserZone, when, minutes, seconds, duration, hhmm, localTime } from '../time.js';

const STATE = { active: t('Active'), expired: t('Expired'), revoked: t('Stopped') };
const wall = (t, fallback) => (t ? hhmm(t) : fallback);

export async function codes(main, _params, ctx) {
  const agencyField = ctx.session.role === 'system_admin'
    ? field({ name: 'agency_id', label: t('Agency id'), required: true })
    : null;
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { text: t('Officers join with a code. Nobody at the agency learns who used it.') }),
    agencyField,
    field({ name: 'label', label: t('Label (for you)'), hint: t('For example: Night shift roll call'), attrs: { maxlength: 80 } }),
    field({ name: 'max_redemptions', label: t('How many people may use it'), type: 'number', value: 50, attrs: { min: 1, max: 10000 } }),
    field({ name: 'expires_days', label: t('Valid for (days)'), type: 'number', value: 30, attrs: { min: 1, max: 365, 'data-server-field': 'expires_at' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Create code') })));
  const out = h('div', { 'aria-live': 'polite' });
  const stats = h('div');
  const list = h('section', { class: 'card', 'aria-labelledby': 'codes-h' });
  main.append(form, out, stats, list);
  const agency = () => (agencyField ? valueOf(form, 'agency_id') : ctx.session.agency_id);
  onSubmit(form, async () => {
    const days = Number(valueOf(form, 'expires_days'));
    if (!(days >= 1 && days <= 365)) throw { code: 'INVALID_ARGUMENT', message: '', fields: { expires_days: t('must be between {0} and {1}', [1, 365]) } };
    const code = await api.call('identity', 'CreateEnrolmentCode', {
      agency_id: agency(), label: valueOf(form, 'label') || '', max_redemptions: Number(valueOf(form, 'max_redemptions')),
      expires_at: new Date(Date.now() + Number(valueOf(form, 'expires_days')) * 86400000).toISOString(),
    });
    clear(out).append(notice('ok', t('New code (shown only now, write it down or hand it out):'),
      h('p', {}, h('code', { class: 'copy enrolment-code', text: code.code })),
      h('p', { class: 'muted', text: t('Up to {0} people, until {1}.', [code.max_redemptions, when(code.expires_at)]) })));
    await showStats();
    await showCodes();
  }, undefined, out);
  async function showCodes() {
    clear(list).append(h('h2', { id: 'codes-h', text: t('Your codes') }));
    if (!agency()) return;
    let codes;
    try {
      codes = (await api.call('identity', 'ListEnrolmentCodes', { agency_id: agency() })).codes || [];
    } catch (error) { list.append(failure(error, t('Your codes'))); return; }
    if (!codes.length) { list.append(h('p', { class: 'muted', text: t('No codes yet.') })); return; }
    list.append(h('p', { class: 'muted', text: t('A code that got out can be stopped here: nobody can join with it afterwards. People who already joined keep their accounts.') }),
      h('ul', { class: 'list codes' }, codes.map(codeItem)));
  }
  function codeItem(c) {
    const item = h('li', { class: 'code-item', dataset: { codeId: c.code_id, state: c.state } },
      h('p', {}, h('strong', { text: c.label || t('Code without a label') }), ' ', h('span', { class: `badge ${c.state}`, text: STATE[c.state] || c.state })),
      h('p', { class: 'muted', text: t('Made {0}. Up to {1} people, until {2}.', [when(c.created_at), c.max_redemptions, when(c.expires_at)]) }),
      h('p', { class: 'muted', text: c.redemptions_suppressed ? t('Used by fewer than 11 people, or none (small numbers are not shown).') : t('Used by about {0} people.', [c.redemptions]) }));
    if (c.state === 'active') {
      const stop = h('button', { type: 'button', class: 'secondary', text: t('Stop this code') });
      stop.addEventListener('click', async () => {
        if (!confirm(t('Stop the code "{0}"? Nobody will be able to join with it.', [c.label || c.code_id]))) return;
        stop.disabled = true;
        try {
          await api.call('identity', 'RevokeEnrolmentCode', { agency_id: agency(), code_id: c.code_id });
          setStatus(t('The code "{0}" is stopped.', [c.label || c.code_id]), 'ok');
          await showCodes();
        } catch (error) { stop.disabled = false; say(item, failure(error)); }
      });
      item.append(h('div', { class: 'actions' }, stop));
    }
    return item;
  }
  async function showStats() {
    clear(stats);
    if (!agency()) return;
    try {
      const s = await api.call('identity', 'GetEnrolmentStats', { agency_id: agency() });
      stats.append(h('div', { class: 'card' }, h('h2', { text: t('Sign-ups') }),
        h('p', { text: Number(s.codes_issued) === 1 ? t('1 code issued.') : t('{0} codes issued.', [s.codes_issued]) }),
        h('p', { text: s.redemptions_suppressed ? t('Fewer than 11 sign-ups so far (small numbers are not shown, to protect privacy).') : t('About {0} sign-ups.', [s.redemptions]) })));
    } catch (error) { stats.append(failure(error, t('Sign-ups'))); }
  }
  if (agencyField) form.querySelector('[data-field="agency_id"]').addEventListener('change', () => { showStats(); showCodes(); });
  await showStats();
  await showCodes();
}

const POLICY_FIELDS = [
  ['pre_shift_buffer', t('Free time before a shift starts (minutes)'), 90],
  ['post_shift_buffer', t('Free time after a shift ends (minutes)'), 60],
  ['sleep_after_night', t('Protected sleep after a night shift (minutes)'), 480],
  ['sleep_start_after_night', t('Sleep protection starts after a night shift ends (minutes)'), 60],
  ['min_rest_gap', t('No sessions in a rest gap shorter than (minutes)'), 660],
  ['late_cancel_window', t('Late cancellation window (minutes)'), 1440],
  ['urgent_escalate_after', t('Escalate an urgent request after (minutes)'), 3],
];
// Seconds, not minutes: an urgent request widens within the first minute.
const POLICY_SECONDS = [['urgent_widen_after', t('Alert more people when nobody accepts an urgent request within (seconds)'), 60]];

export async function fatigue(main, _params, ctx) {
  const agencyId = ctx.session.agency_id;
  let policy;
  try {
    policy = await api.call('scheduling', 'GetFatiguePolicy', { agency_id: agencyId });
  } catch (error) {
    main.append(failure(error, t('Rest rules')));
    if (error.code === 'UNIMPLEMENTED') return;
    policy = {};
  }
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { text: t('Sessions are never offered during a shift. These rules add rest around shifts; the defaults follow sleep research.') }),
    POLICY_FIELDS.map(([name, label, fallback]) => field({ name: `policy.${name}`, label, type: 'number', value: policy[name] ? minutes(policy[name]) : fallback, attrs: { min: 0, max: 2880 } })),
    POLICY_SECONDS.map(([name, label, fallback]) => field({ name: `policy.${name}`, label, type: 'number', value: policy[name] ? seconds(policy[name]) : fallback, attrs: { min: 10, max: 3600 } })),
    field({ name: 'policy.max_sessions_per_day', label: t('Most sessions per day for one officer'), type: 'number', value: policy.max_sessions_per_day || 1, attrs: { min: 1, max: 10 } }),
    field({ name: 'policy.usual_sleep_start', label: t('Usual sleep starts at'), type: 'time', value: wall(policy.usual_sleep_start, '23:00'), hint: t('Every officer\'s night, unless they set their own: no session is offered in it.') }),
    field({ name: 'policy.usual_sleep_end', label: t('Usual sleep ends at'), type: 'time', value: wall(policy.usual_sleep_end, '07:00') }),
    field({ name: 'policy.max_consecutive_nights', label: t('No session the day after this many night shifts in a row (0: no such rule)'), type: 'number', value: policy.max_consecutive_nights || 0, attrs: { min: 0, max: 14 } }),
    field({ name: 'policy.crisis_line_text', label: t('Crisis line text shown to officers'), type: 'textarea', value: policy.crisis_line_text || '' }),
    field({ name: 'policy.reminder_offsets', label: t('Reminders before a session'), value: (policy.reminder_offsets || ['24h', '1h']).join(', '), hint: t('For example: 24h, 1h') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save rest rules') })));
  main.append(form);
  onSubmit(form, async () => {
    // SetFatiguePolicy replaces the whole policy: what this page does not show (compacts) is kept.
    const body = { ...policy, version: undefined, agency_id: agencyId };
    for (const [name] of POLICY_FIELDS) body[name] = duration(Number(valueOf(form, `policy.${name}`)) * 60);
    for (const [name] of POLICY_SECONDS) body[name] = duration(Number(valueOf(form, `policy.${name}`)));
    body.max_sessions_per_day = Number(valueOf(form, 'policy.max_sessions_per_day'));
    body.usual_sleep_start = localTime(valueOf(form, 'policy.usual_sleep_start'));
    body.usual_sleep_end = localTime(valueOf(form, 'policy.usual_sleep_end'));
    body.max_consecutive_nights = Number(valueOf(form, 'policy.max_consecutive_nights') || 0);
    body.crisis_line_text = valueOf(form, 'policy.crisis_line_text');
    body.reminder_offsets = String(valueOf(form, 'policy.reminder_offsets')).split(',').map((s) => s.trim()).filter(Boolean);
    await api.call('scheduling', 'SetFatiguePolicy', { policy: body });
    setStatus(t('Rest rules saved.'), 'ok');
  });
  main.append(await escalationHook(agencyId));
}

// Where an urgent request nobody accepted is escalated: the agency's own paging system. The
// secret is shown once, when it is made; afterwards only its last characters.
async function escalationHook(agencyId) {
  let hook = {};
  try { hook = await api.call('notifications', 'GetAgencyWebhook', { agency_id: agencyId }); } catch { hook = {}; }
  const said = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card escalation-hook', novalidate: true },
    h('h2', { text: t('Urgent escalations') }),
    h('p', { text: t('When nobody accepts an urgent request in time, your on-call coordinator is paged here with a one-time case code, never who asked.') }),
    field({ name: 'url', label: t('Paging webhook address (https)'), type: 'url', value: hook.url || '', hint: hook.secret_hint ? t('Signing secret ends in {0}.', [hook.secret_hint]) : t('Leave empty for no webhook.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save webhook') })),
    said);
  onSubmit(form, async () => {
    const saved = await api.call('notifications', 'SetAgencyWebhook', { agency_id: agencyId, url: String(valueOf(form, 'url') || '').trim() });
    clear(said);
    if (saved.secret) said.append(notice('ok', t('Saved. Copy the signing secret now; it is not shown again:'), h('code', { class: 'copy webhook-secret', text: saved.secret })));
    else said.append(notice('ok', saved.url ? t('Saved.') : t('The webhook is removed.')));
  }, undefined, said);
  return form;
}

// Each figure: its key, a short heading that lets the table fit a laptop, the full words (read out
// by screen readers and shown on hover), and how it is written.
const FIGURES = [
  ['sessions_booked', t('Booked'), t('Sessions booked')], ['sessions_fulfilled', t('Held'), t('Sessions held')],
  ['no_show_rate', t('Missed'), t('Sessions missed'), 'pct'], ['late_cancel_rate', t('Late cancels'), t('Late cancellations'), 'pct'],
  ['officers_served', t('Officers'), t('Officers served')], ['median_days_enrolment_to_first_session', t('Days to 1st'), t('Days to first session')],
  ['day_off_share', t('On days off'), t('Sessions on days off'), 'pct'], ['peer_share', t('Peer'), t('With a peer'), 'pct'],
  ['feedback_responses', t('Replies'), t('Feedback responses')], ['mean_rating', t('Rating'), t('Rating (1-5)'), 'one'],
  ['recommend_share', t('Recommend'), t('Would recommend'), 'pct'], ['mean_stress_change', t('Stress change'), t('Stress change (0-10)'), 'one'],
  ['median_seconds_to_first_accept', t('Urgent: secs to accept'), t('Urgent: seconds to an accept')],
  ['median_seconds_to_human_joined', t('Urgent: secs to join'), t('Urgent: seconds to someone in the room')],
  ['urgent_follow_ups_booked', t('Urgent: follow-ups'), t('Urgent: follow-ups booked')], ['urgent_referrals', t('Urgent: referred'), t('Urgent: referred on')],
  ['urgent_nothing_further', t('Urgent: no more'), t('Urgent: nothing further')],
  ['referrals_made', t('Refs made'), t('Referrals made')], ['referrals_accepted', t('Refs agreed'), t('Referrals agreed to')],
  ['referrals_completed', t('Refs held'), t('Referral sessions held')],
];
const heading = ([, short, full]) => h('th', { scope: 'col', title: full },
  h('span', { 'aria-hidden': 'true', text: short }), h('span', { class: 'visually-hidden', text: full }));

function figure(f, kind) {
  if (!f || f.status === 'FIGURE_STATUS_NOT_AVAILABLE' || f.status === 'FIGURE_STATUS_UNSPECIFIED') return '–';
  if (f.status !== 'FIGURE_STATUS_SHOWN') return t('hidden');
  const v = Number(f.value || 0);
  if (kind === 'pct') return `${Math.round(v * 100)}%`;
  if (kind === 'one') return v.toFixed(1);
  return String(Math.round(v));
}

export async function outcomes(main, _params, ctx) {
  let report;
  try {
    report = await api.call('outcomes', 'GetAgencyReport', { agency_id: ctx.session.agency_id });
  } catch (error) {
    main.append(failure(error, t('Program numbers')));
    return;
  }
  main.append(h('p', { text: t('Totals for your agency only, never about one person. A figure based on fewer than {0} officers, or one that would let someone work it out, says "hidden". A month appears once it is over and never changes afterwards.', [report.min_officers || 11]) }));
  const periods = report.periods || [];
  if (!periods.length) {
    main.append(notice('', t('No month has been published yet. Figures appear after the first full month of use.')));
    return;
  }
  main.classList.add('wide');  // the numbers fit a laptop's width; render() narrows it again
  const wrap = h('div', { class: 'card' });
  wrap.append(h('table', { class: 'report' },
    h('caption', { class: 'muted', text: t('Published through {0}', [report.published_through || '–']) }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('Period') }), FIGURES.map(heading))),
    h('tbody', {}, periods.map((p) => h('tr', {}, h('th', { scope: 'row', text: p.period?.label || '' }),
      FIGURES.map(([key, , , kind]) => h('td', { text: figure(p[key], kind) })))))));
  const download = h('button', { type: 'button', class: 'secondary', text: t('Download as CSV') });
  download.addEventListener('click', async () => {
    try {
      const csv = await api.call('outcomes', 'ExportAgencyReportCsv', { agency_id: ctx.session.agency_id });
      const bytes = Uint8Array.from(atob(csv.content || ''), (c) => c.charCodeAt(0));
      const link = h('a', { href: URL.createObjectURL(new Blob([bytes], { type: csv.content_type || 'text/csv' })), download: csv.filename || 'report.csv' });
      document.body.append(link); link.click(); link.remove();
    } catch (error) { main.append(failure(error, t('Download'))); }
  });
  main.append(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('Program numbers') }, wrap), h('div', { class: 'actions' }, download));
}

export async function administration(main) {
  const [agencySaid, coordinatorSaid, therapistSaid] = [0, 1, 2].map(() => h('div', { 'aria-live': 'polite' }));
  const agency = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('New agency') }),
    field({ name: 'name', label: t('Name'), required: true }),
    field({ name: 'timezone', label: t('Time zone'), value: browserZone() }),
    field({ name: 'jurisdiction', label: t('Jurisdiction'), hint: t('For example: US-TX') }),
    field({ name: 'crisis_line_text', label: t('Crisis line text'), type: 'textarea' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Create agency') })), agencySaid);
  onSubmit(agency, async () => {
    const a = await api.call('identity', 'CreateAgency', { name: valueOf(agency, 'name'), timezone: valueOf(agency, 'timezone'), jurisdiction: valueOf(agency, 'jurisdiction') || '', crisis_line_text: valueOf(agency, 'crisis_line_text') || '' });
    agencySaid.append(notice('ok', t('Agency created. Its id: '), h('code', { class: 'copy agency-id', text: a.agency_id })));
  }, undefined, agencySaid);
  const coordinator = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('New wellness coordinator') }),
    field({ name: 'agency_id', label: t('Agency id'), required: true }),
    field({ name: 'email', label: t('E-mail'), type: 'email', required: true }),
    field({ name: 'display_name', label: t('Name'), required: true }),
    field({ name: 'password', label: t('First password'), type: 'password', attrs: { autocomplete: 'new-password' }, required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Create coordinator') })), coordinatorSaid);
  onSubmit(coordinator, async () => {
    await api.call('identity', 'CreateAgencyAdmin', { agency_id: valueOf(coordinator, 'agency_id'), email: valueOf(coordinator, 'email'), display_name: valueOf(coordinator, 'display_name'), password: valueOf(coordinator, 'password') });
    coordinatorSaid.append(notice('ok', t('Coordinator created.')));
  }, undefined, coordinatorSaid);
  const therapist = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('New therapist') }),
    field({ name: 'email', label: t('E-mail'), type: 'email', required: true }),
    field({ name: 'display_name', label: t('Name'), required: true }),
    field({ name: 'password', label: t('First password'), type: 'password', attrs: { autocomplete: 'new-password' }, required: true }),
    field({ name: 'agency_id', label: t('Agency id (only for an in-house clinician)') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Add therapist') })), therapistSaid);
  onSubmit(therapist, async () => {
    await api.call('identity', 'OnboardTherapist', { email: valueOf(therapist, 'email'), display_name: valueOf(therapist, 'display_name'), password: valueOf(therapist, 'password'), agency_id: valueOf(therapist, 'agency_id') || '' });
    therapistSaid.append(notice('ok', t('Therapist added. They set up two-step sign-in the first time they sign in.')));
  }, undefined, therapistSaid);
  main.append(agency, coordinator, therapist);
}
