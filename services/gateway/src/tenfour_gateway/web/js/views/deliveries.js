// What the delivery log says about each appointment, in words: "Reminder sent by e-mail at 09:00".
import { t } from '../i18n.js';
import * as api from '../api.js';
import { when, timeOnly } from '../time.js';

const WHAT = {
  reminder: t('Reminder'), appointment_booked: t('Booking notice'), appointment_cancelled: t('Cancellation notice'),
  appointment_moved: t('Change notice'), appointment_conflict: t('Shift clash notice'), waiting_room: t('Waiting room notice'),
  seat_freed: t('Free seat notice'), urgent_assigned: t('Notice'), urgent_escalated: t('Notice'),
};
const HOW = { CHANNEL_EMAIL: t('by e-mail'), CHANNEL_WEB_PUSH: t('as an alert') };

function at(iso) {
  if (!iso) return '';
  const sameDay = new Date(iso).toDateString() === new Date().toDateString();
  return sameDay ? t('at {0}', [timeOnly(iso)]) : t('on {0}', [when(iso)]);
}

// One line per delivery a person would care about; in-app deliveries are what they see anyway.
export function deliveryText(d) {
  const what = WHAT[d.kind];
  const how = HOW[d.channel];
  if (!what || !how) return '';
  switch (d.status) {
    case 'DELIVERY_STATUS_DELIVERED': return t('{0} sent {1} {2}.', [what, how, at(d.delivered_at || d.created_at)]);
    case 'DELIVERY_STATUS_DEFERRED': return t('{0} {1} waits until your quiet hours end.', [what, how]);
    case 'DELIVERY_STATUS_PENDING': return t('{0} {1} is being sent.', [what, how]);
    case 'DELIVERY_STATUS_FAILED': return t('{0} {1} could not be delivered.', [what, how]);
    default: return '';
  }
}

// appointment id -> lines, oldest first; empty when the log cannot be read (it is extra).
export async function deliveriesByAppointment() {
  const out = new Map();
  let found;
  try {
    found = (await api.call('notifications', 'ListDeliveries', { limit: 200 })).deliveries || [];
  } catch {
    return out;
  }
  for (const d of [...found].reverse()) {
    const text = deliveryText(d);
    if (!d.appointment_id || !text) continue;
    if (!out.has(d.appointment_id)) out.set(d.appointment_id, []);
    out.get(d.appointment_id).push(text);
  }
  return out;
}
