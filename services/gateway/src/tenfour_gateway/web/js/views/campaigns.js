// Wellness check-in campaigns: the coordinator launches them and sees suppressed figures;
// officers book their check-in.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { emptyReason } from '../reasons.js';
import { range } from '../time.js';

const monthName = (iso) => new Intl.DateTimeFormat(language, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(iso));
const dayName = (iso) => new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso));
function months(c) {
  const last = new Date(new Date(c.window.end).getTime() - 86400000).toISOString();
  return c.months !== 1 && monthName(c.window.start) !== monthName(last) ? `${monthName(c.window.start)} – ${monthName(last)}` : monthName(c.window.start);
}

function figure(f, rate) {
  if (!f || f.status === 'FIGURE_STATUS_NOT_AVAILABLE' || !f.status) return '–'; // i18n-ignore: a dash
  if (f.status === 'FIGURE_STATUS_SHOWN') return rate ? `${Math.round((f.value || 0) * 100)} %` : String(f.value || 0);
  if (f.status === 'FIGURE_STATUS_SUPPRESSED_SMALL_CELL') return t('hidden: fewer than 11 officers');
  return t('hidden so a small number cannot be worked out');
}

function figuresTable(r) {
  if (!r) return h('p', { class: 'muted', text: t('Figures appear once the campaign months are published.') });
  if (!r.published) return h('p', { class: 'muted', text: t('Figures appear on {0}, once every month of the campaign is published.', [dayName(r.publishes_at)]) });
  const rows = [
    [t('Invited'), figure(r.invited), ''],
    [t('Booked a check-in'), figure(r.booked), figure(r.booked_rate, true)],
    [t('Completed a check-in'), figure(r.completed), figure(r.completed_rate, true)],
  ];
  return h('table', { class: 'report campaign-figures' },
    h('thead', {}, h('tr', {}, [t('Officers'), t('Count'), t('Share of invited')].map((x) => h('th', { scope: 'col', text: x })))),
    h('tbody', {}, rows.map(([a, b, c]) => h('tr', {}, h('th', { scope: 'row', text: a }), h('td', { text: b }), h('td', { text: c })))));
}

export async function campaigns(main, _params, ctx) {
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Launch a check-in campaign') }),
    h('p', { text: t('Every officer of your agency is invited to book one confidential check-in that fits their shifts. You see totals only, never who booked.') }),
    field({ name: 'campaign.title', label: t('Name'), value: t('Annual wellness check-in'), required: true }),
    field({ name: 'campaign.first_month', label: t('First month'), type: 'month', required: true }),
    field({ name: 'campaign.months', label: t('How many months (1-12)'), type: 'number', value: 3, attrs: { min: 1, max: 12 } }),
    field({ name: 'campaign.attendance_confirmation', label: t('Attendance confirmation: officers are told first, and you see attended yes/no per officer'), type: 'checkbox' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Launch campaign') })));
  const list = h('div', { class: 'campaigns', 'aria-live': 'polite' });
  main.append(form, h('h2', { text: t('Campaigns') }), list);

  async function load() {
    clear(list);
    let found;
    let reports = {};
    try {
      found = (await api.call('scheduling', 'ListCampaigns', {})).campaigns || [];
      const figures = await api.call('outcomes', 'ListCampaignReports', { agency_id: ctx.session.agency_id });
      for (const r of figures.campaigns || []) reports[r.campaign_id] = r;
    } catch (error) { list.append(failure(error, t('Campaigns'))); return; }
    if (!found.length) list.append(notice('', t('No campaign yet.')));
    for (const c of found) {
      const invited = c.invited_hidden ? t('Fewer than 11 officers invited (small numbers are not shown).') : t('{0} officers invited.', [c.invited || 0]);
      const policy = c.attendance_confirmation ? t('Attendance confirmation: attended yes/no per officer.') : t('Confidential: who booked is never shown.');
      const card = h('div', { class: 'card campaign', 'data-campaign': c.campaign_id },
        h('h3', { text: `${c.title} (${months(c)})` }),
        h('p', { text: `${invited} ${policy}` }),
        figuresTable(reports[c.campaign_id]));
      if (c.attendance_confirmation) {
        const show = h('button', { type: 'button', class: 'secondary', text: t('Show attendance') });
        const out = h('div');
        show.addEventListener('click', async () => {
          try {
            const a = await api.call('scheduling', 'GetCampaignAttendance', { campaign_id: c.campaign_id });
            clear(out).append(h('table', { class: 'report attendance' },
              h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('Officer (pseudonym)') }), h('th', { scope: 'col', text: t('Attended') }))),
              h('tbody', {}, (a.officers || []).map((o) => h('tr', {}, h('td', { text: o.officer_id }), h('td', { text: o.attended ? t('Yes') : t('No') }))))));
          } catch (error) { clear(out).append(failure(error, t('Attendance'))); }
        });
        card.append(h('div', { class: 'actions' }, show), out);
      }
      list.append(card);
    }
  }
  onSubmit(form, async () => {
    const [year, month] = String(valueOf(form, 'campaign.first_month') || '').split('-').map(Number);
    await api.call('scheduling', 'LaunchCampaign', { campaign: {
      title: valueOf(form, 'campaign.title') || '',
      first_month: year ? { year, month, day: 1 } : undefined,
      months: Number(valueOf(form, 'campaign.months')) || 0,
      attendance_confirmation: Boolean(valueOf(form, 'campaign.attendance_confirmation')),
    } });
    setStatus(t('Campaign launched: every officer is invited.'), 'ok');
    await load();
  });
  await load();
}

export async function checkin(main, _params, ctx) {
  let found;
  try { found = (await api.call('scheduling', 'ListCampaigns', {})).campaigns || []; } catch (error) { main.append(failure(error, t('Check-in'))); return; }
  if (!found.length) { main.append(notice('', t('Your agency has no check-in campaign open for you now.'))); return; }
  for (const c of found) {
    const card = h('div', { class: 'card campaign' }, h('h2', { text: `${c.title} (${months(c)})` }));
    main.append(card);
    if (c.my_appointment_id) {
      card.append(notice('ok', t('You booked your check-in.'), h('p', {}, h('a', { href: '#/appointments', text: t('See my appointments') }))));
      continue;
    }
    card.append(h('p', { text: t('A confidential talk with someone trained to listen, at a time that fits your shifts.') }));
    const ack = c.attendance_confirmation
      ? field({ name: 'ack', label: t('I understand: my agency learns only whether I attended'), type: 'checkbox' })
      : null;
    if (ack) card.append(notice('warn', t('Your agency will learn whether you attended this check-in (yes or no). Never when, with whom or what was said.')), ack);
    else card.append(notice('', t('Your agency never learns whether you booked or attended: it sees totals of 11 or more officers only.')));
    const find = h('button', { type: 'button', text: t('Find times') });
    const out = h('div', { 'aria-live': 'polite' });
    card.append(h('div', { class: 'actions' }, find), out);
    find.addEventListener('click', async () => {
      clear(out);
      const end = new Date(c.window.end).getTime();
      const days = Math.max(1, Math.min(90, Math.ceil((end - Date.now()) / 86400000)));
      try {
        const reply = await api.call('scheduling', 'FindSlots', { session_type: 'SESSION_TYPE_INDIVIDUAL', horizon: `${days * 86400}s`, limit: 10 });
        const slots = (reply.slots || []).filter((s) => new Date(s.time.start) >= new Date(c.window.start) && new Date(s.time.start).getTime() < end);
        if (!slots.length) { out.append(notice('warn', emptyReason(reply.empty_reason_code) || reply.empty_reason || t('No times found inside the campaign.'))); return; }
        out.append(h('ul', { class: 'list slots' }, slots.map((slot) => {
          const book = h('button', { type: 'button', text: t('Book this check-in') });
          const said = h('div');
          book.addEventListener('click', async () => {
            try {
              const a = await api.call('scheduling', 'Book', {
                idempotency_key: api.idempotencyKey(), provider_id: slot.provider_id, session_type: 'SESSION_TYPE_INDIVIDUAL',
                start: slot.time.start, campaign_id: c.campaign_id,
                attendance_reporting_acknowledged: Boolean(ack && ack.querySelector('input').checked),
              });
              clear(said).append(notice('ok', t('Booked: {0}.', [range(a.time)])));
              book.disabled = true;
            } catch (error) { clear(said).append(failure(error, t('Booking'))); }
          });
          return h('li', {}, h('span', { text: `${range(slot.time, ctx.session.zone)} · ${slot.provider_display_name || ''}` }), book, said);
        })));
      } catch (error) { say(out, failure(error, t('Times'))); }
    });
  }
}
