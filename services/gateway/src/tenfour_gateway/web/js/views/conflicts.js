// Schedule clashes: sessions (and group seats) a change of shifts, rest rules or the provider's
// hours no longer fits, with other times grouped by day; one tap moves the session.
// #/conflicts lists them all; #/conflicts/<appointment id> is the link a notification carries.
import { t, language } from '../i18n.js';
import { h, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { reasonText, refusal } from '../reasons.js';
import { range } from '../time.js';
import * as live from '../live.js';

// local_start is ISO 8601 in the officer's zone ("2026-03-10T21:00:00-05:00"): its date and
// wall time are the officer's own, whatever zone this browser is in.
const dayOf = (slot) => String(slot.local_start || slot.time.start).slice(0, 10);
const clockOf = (slot) => String(slot.local_start || '').slice(11, 16);

function dayHeading(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat(language, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d, 12)));
}

export function byDay(slots) {
  const days = new Map();
  for (const slot of slots) {
    const day = dayOf(slot);
    if (!days.has(day)) days.set(day, []);
    days.get(day).push(slot);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
}

// The page: every clash, or only the one a notification linked to.
export async function conflicts(main, params, ctx) {
  const only = params[0] || '';
  const box = h('div', { class: 'conflicts' });
  main.append(box);
  // Times in the zone of the officer's roster, as the alternatives' days and hours are.
  try {
    ctx.rosterZone = (await api.call('scheduling', 'GetRoster', {})).timezone || undefined;
  } catch { ctx.rosterZone = undefined; }
  await load(box, only, ctx);
  const off = live.subscribe((message) => {
    // A new clash or one cleared by another change: shown without a reload, unless a move is under way.
    if ((message.ready || message.notification) && !box.querySelector('button[disabled]')) load(box, only, ctx);
  });
  ctx.cleanup = off;
}

async function load(box, only, ctx, before = null) {
  let reply;
  try {
    reply = await api.call('scheduling', 'ListConflicts', only ? { appointment_id: only } : {});
  } catch (error) {
    clear(box).append(failure(error, t('Schedule clashes')));
    return;
  }
  const found = reply.conflicts || [];
  clear(box);
  if (before) box.append(before);
  if (!found.length) {
    box.append(notice('ok', only ? t('This appointment no longer clashes with your shifts.') : t('Nothing clashes with your shifts.')),
      h('p', {}, h('a', { href: '#/appointments', text: t('Your appointments') })));
  }
  for (const c of found) box.append(conflictCard(c, box, only, ctx));
  if (reply.checked_at) box.append(h('p', { class: 'muted checked', text: t('Checked against your latest shifts.') }));
}

function conflictCard(c, box, only, ctx) {
  const a = c.appointment;
  const what = c.group_seat ? t('Your seat in the group session') : t('Your appointment');
  const card = h('section', { class: 'card conflict', dataset: { appointmentId: a.appointment_id } },
    h('h2', { text: range(a.time, ctx.rosterZone) }),
    h('p', {}, h('span', { class: 'badge conflict', text: t('Clashes with a shift') }), ' ', c.reason ? t('{0} no longer fits: {1}', [what, refusal(c.reason_code) || c.reason]) : t('{0} no longer fits.', [what])),
    h('p', { class: 'muted', text: t('It stays booked until you choose another time or cancel it.') }));
  const alternatives = c.alternatives || [];
  if (!alternatives.length) {
    card.append(notice('warn', t('No other time fits in the next four weeks. You can keep it, cancel it, or look again after your next roster change.')));
    return card;
  }
  // A session of a rotation series: the day its rule now names comes first, on its own.
  const own = (alternatives[0].reasons || []).some((r) => r.code === 'rotation_series_day') ? alternatives[0] : null;
  if (own) {
    card.append(h('div', { class: 'series-day', dataset: { day: dayOf(own) } },
      h('h3', { text: t('Where your series now falls: {0}', [dayHeading(dayOf(own))]) }),
      h('ul', { class: 'list' }, [alternativeItem(c, own, box, only, ctx)])));
  }
  const others = alternatives.filter((s) => s !== own);
  if (!others.length) return card;
  card.append(h('p', { text: own ? t('Or another time that fits your shifts and rest:') : t('Other times that fit your shifts and rest:') }));
  for (const [day, slots] of byDay(others)) {
    card.append(h('div', { class: 'alt-day', dataset: { day } },
      h('h3', { text: dayHeading(day) }),
      h('ul', { class: 'list' }, slots.map((s) => alternativeItem(c, s, box, only, ctx)))));
  }
  return card;
}

function alternativeItem(c, slot, box, only, ctx) {
  const label = c.group_seat ? t('Take a seat at {0} instead', [clockOf(slot)]) : t('Move to {0}', [clockOf(slot)]);
  const button = h('button', { type: 'button', text: label });
  const item = h('li', { class: 'alternative', dataset: { start: slot.time.start } },
    h('p', {}, h('strong', { text: clockOf(slot) }), slot.provider_display_name ? t(' with {0}', [slot.provider_display_name]) : ''),
    slot.reason ? h('p', { class: 'muted', text: reasonText(slot.reasons, slot.reason) }) : null,
    h('div', { class: 'actions' }, button));
  button.addEventListener('click', async () => {
    for (const b of box.querySelectorAll('button')) b.disabled = true;
    try {
      await accept(c, slot);
      setStatus(t('Moved.'), 'ok');
      await load(box, only, ctx, notice('ok', t('Moved to {0}.', [range(slot.time, ctx.rosterZone)])));
    } catch (error) {
      if (error.code === 'FAILED_PRECONDITION') {
        // Taken meanwhile: nothing changed; the list comes back with times free now.
        await load(box, only, ctx, notice('warn', t('That time was just taken. Your appointment is unchanged. Here are times free now.')));
      } else {
        for (const b of box.querySelectorAll('button')) b.disabled = false;
        say(item, failure(error, t('Moving')));
      }
    }
  });
  return item;
}

// One step for a one-to-one session (the atomic Reschedule). A group seat: the new seat first,
// the old one given up only once the new one is held, so a refusal keeps the old seat.
async function accept(c, slot) {
  const a = c.appointment;
  if (!c.group_seat) {
    await api.call('scheduling', 'Reschedule', { idempotency_key: api.idempotencyKey(), appointment_id: a.appointment_id, new_start: slot.time.start });
    return;
  }
  await api.call('scheduling', 'Book', { idempotency_key: api.idempotencyKey(), group_appointment_id: slot.group_appointment_id });
  await api.call('scheduling', 'Cancel', { appointment_id: a.appointment_id });
}
