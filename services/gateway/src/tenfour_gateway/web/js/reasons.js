// What the services explain, in the reader's language. The services send a stable code with
// values (scheduling's Reason on slots, alternatives and series plans; a refusal's code at the
// end of its error; a conflict's or a protected time's reason_code); each code maps to a
// catalog message here. An unknown code shows the service's own (English) text instead.
import { t, language } from './i18n.js';

// Spans as "3 h 30 min": the units read the same in English and Spanish.
function span(minutes) {
  const n = Math.abs(Number(minutes) || 0); const hours = Math.floor(n / 60); const rest = n % 60;
  return hours && rest ? `${hours} h ${rest} min` : hours ? `${hours} h` : `${rest} min`; // i18n-ignore
}
const dayText = (iso) => new Intl.DateTimeFormat(language, { weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${iso}T12:00:00`));
const KINDS = { day: t('day'), swing: t('evening'), night: t('night') };
const kind = (k) => KINDS[k] || k;

const REASONS = {
  day_off_after_waking: (p) => t('day off, {0} after waking', [span(p.minutes)]),
  day_off_before_waking: (p) => t('day off, {0} before your usual waking time', [span(p.minutes)]),
  before_shift: (p) => t('before a {0} shift, {1} before it starts', [kind(p.kind), span(p.minutes)]),
  after_shift: (p) => t('after a {0} shift, {1} after it ends', [kind(p.kind), span(p.minutes)]),
  on_duty_day: () => t('on a duty day'),
  preferred_hours: () => t('within your preferred hours'),
  current_provider: () => t('your current provider'),
  group_seats: (p) => t('group session, {0} of {1} seats open', [p.free, p.capacity]),
  fits_rest_rules: () => t('fits your rest and duty rules'),
  same_provider: () => t('same provider'),
  seen_before: () => t('someone you have seen before'),
  other_provider: () => t('another provider of your agency'),
  same_time_of_day: () => t('same time of day as before'),
  close_to_usual: (p) => t('close to your usual {0}', [p.time]),
  nearest_that_day: () => t('nearest fitting time that day'),
  no_other_day: () => t('no other day fits'),
  no_roster_day: () => t('your roster has no such day in the next 90 days'),
  no_fit_on_day: (p) => (p.between ? t('no time with this provider fits your shifts and sleep on {0} within the hours you chose', [dayText(p.day)])
    : t('no time with this provider fits your shifts and sleep on {0}', [dayText(p.day)])),
  no_fit_near_day: (p) => t('no time with this provider fits your rotation within {0} days of {1}', [p.days, dayText(p.day)]),
};

const sentence = (text) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : '');

// Reasons (a list of {code, params}) as one sentence; `fallback` (the service's text) when
// there are none or one is unknown.
export function reasonText(reasons, fallback = '') {
  const list = Array.isArray(reasons) ? reasons : reasons ? [reasons] : [];
  if (!list.length || list.some((r) => !REASONS[r.code])) return sentence(fallback);
  return sentence(list.map((r) => REASONS[r.code](r.params || {})).join('; '));
}

// Why a time cannot be booked, or a booked one no longer fits, by the service's code
// (scheduling's slot checks: refusals and conflicts).
const REFUSALS = {
  session_type_not_offered: t('This provider does not offer this kind of session.'),
  too_soon: t('This time is too soon: sessions need more notice.'),
  in_the_past: t('This time is in the past.'),
  too_far_ahead: t('This time is too far ahead to book yet.'),
  on_duty: t('You are on duty at this time.'),
  pre_shift_buffer: t('This time is too close to the start of a shift.'),
  post_shift_buffer: t('This time is too soon after a shift ends.'),
  protected_sleep: t('This time is in your sleep after a night shift.'),
  quick_return: t('This time falls in a short rest between two shifts.'),
  officer_busy: t('You already have a session at this time.'),
  officer_day_limit: t('You already have the sessions allowed that day.'),
  outside_provider_hours: t('The provider is not available at this time.'),
  peer_off_duty_rules: t('The peer supporter is on duty or resting at this time.'),
  provider_busy: t('The provider was booked at this time meanwhile.'),
  provider_limit: t('The provider has no more sessions free that day or week.'),
  provider_unavailable: t('This provider is not taking bookings.'),
};
export const refusal = (code) => REFUSALS[code] || '';

// The times the rotation page lists as protected, by why (scheduling's BlockReason).
const PROTECTED = {
  pre_shift_buffer: t('Rest before a shift'),
  post_shift_buffer: t('Rest after a shift'),
  protected_sleep: t('Protected sleep after a night shift'),
  usual_sleep: t('Your usual sleep'),
  quick_return: t('Short rest between two shifts'),
  consecutive_nights: t('Rest after several night shifts in a row'),
};
export const protectedTime = (code, fallback) => PROTECTED[code] || fallback || code;

// Why a search found nothing, by FindSlots' empty_reason_code.
const EMPTY = {
  no_offers: t('Nobody offers this kind of session at the moment.'),
  no_filter_match: t('Nobody matches these filters. Try fewer filters.'),
  no_off_duty_time: t('Your shifts and the rest you need leave no free time in this period. Try a longer period.'),
  no_overlap: t('The providers are not available when you are off duty in this period. Try a longer period.'),
  too_short: t('Your free time and the hours of the providers overlap, but never long enough for a session.'),
  fully_booked: t('The times that would fit are already taken. Try a longer period.'),
  days_taken: t('The days that fit already have a session of yours, or come right before your nights.'),
  no_grid_start: t('There are openings, but none long enough for a session. Try a longer period.'),
};
export const emptyReason = (code) => EMPTY[code] || '';
