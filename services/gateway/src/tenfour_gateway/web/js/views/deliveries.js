// What the delivery log says about each appointment, in words: "Reminder sent by e-mail at 09:00".
import * as api from '../api.js';
import { when, timeOnly } from '../time.js';

const WHAT = {
  reminder: 'Reminder', appointment_booked: 'Booking notice', appointment_cancelled: 'Cancellation notice',
  appointment_moved: 'Change notice', appointment_conflict: 'Shift clash notice', waiting_room: 'Waiting room notice',
  seat_freed: 'Free seat notice', urgent_assigned: 'Notice', urgent_escalated: 'Notice',
};
const HOW = { CHANNEL_EMAIL: 'by e-mail', CHANNEL_WEB_PUSH: 'as an alert' };

function at(iso) {
  if (!iso) return '';
  const sameDay = new Date(iso).toDateString() === new Date().toDateString();
  return sameDay ? `at ${timeOnly(iso)}` : `on ${when(iso)}`;
}

// One line per delivery a person would care about; in-app deliveries are what they see anyway.
export function deliveryText(d) {
  const what = WHAT[d.kind];
  const how = HOW[d.channel];
  if (!what || !how) return '';
  switch (d.status) {
    case 'DELIVERY_STATUS_DELIVERED': return `${what} sent ${how} ${at(d.delivered_at || d.created_at)}.`;
    case 'DELIVERY_STATUS_DEFERRED': return `${what} ${how} waits until your quiet hours end.`;
    case 'DELIVERY_STATUS_PENDING': return `${what} ${how} is being sent.`;
    case 'DELIVERY_STATUS_FAILED': return `${what} ${how} could not be delivered.`;
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
