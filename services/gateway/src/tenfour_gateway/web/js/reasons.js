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
  rotation_series_day: (p) => ({
    first_day_off: t('the first day off of this block, as your roster now says'),
    every_kth_day_off: t('the day off your series now falls on'),
    after_last_night: t('the day your last night shift now ends'),
  }[p.rule] || t('the day your series now falls on')),
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
  usual_sleep: t('This time is in your usual sleep.'),
  consecutive_nights: t('This day is kept for rest after several night shifts in a row.'),
  training_lapsed: t('This peer supporter\'s required training is not current.'),
  unlicensed: t('This clinician is not licensed where you live.'),
  group_full: t('Every seat of this group session is taken.'),
  refused: t('This time cannot be booked.'),
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
  no_licensed: t('No clinician who offers this is licensed where you live (your preferences). A peer supporter may be available.'),
};
export const emptyReason = (code) => EMPTY[code] || '';

// What a service says about a field, by its code (tenfour_shared.field_texts; the gateway's
// `field_reasons`), as a fragment that follows the field's label ("must have at least 12
// characters"). Dates among the values are said through Intl.
const dateOr = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(String(v))
  ? new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(`${v}T12:00:00`)) : v);
const FIELD_TEXTS = {
  required: () => t('is required'),
  min_length: (p) => t('must have at least {0} characters', [p.min]),
  max_length: (p) => (p.max ? t('must have at most {0} characters', [p.max]) : t('is too long')),
  length_between: (p) => t('must have {0} to {1} characters', [p.min, p.max]),
  too_common: () => t('is too common'),
  too_repetitive: () => t('is too repetitive'),
  not_your_name: () => t('must not be your name or username'),
  between: (p) => t('must be between {0} and {1}', [dateOr(p.min), dateOr(p.max)]),
  after_start: () => t('must be after the start'),
  after_completion: () => t('must be after the completion date'),
  after_issue: () => t('must be after the date of issue'),
  in_past: () => t('is in the past'),
  in_future: () => t('cannot be in the future'),
  https_address: () => t('must be an https:// address'),
  email_address: () => t('must be an e-mail address such as name@example.org'),
  time_zone: () => t('must be a time zone such as America/Chicago'),
  hour_minute: () => t('must be a time of day (hours 0-23, minutes 0-59)'),
  whole_minute: () => t('must be on a whole minute'),
  session_type_needed: () => t('must offer at least one kind of session'),
  list_one: () => t('must list at least one'),
  positive: () => t('must be more than zero'),
  not_negative: () => t('must not be negative'),
  listed_twice: () => t('lists the same thing twice'),
  jurisdiction_code: () => t('must be a state or province code such as US-CA'),
  username_chars: () => t('must start with a letter and use only a-z, 0-9, dots, _ or -'),
  letter_or_digit: () => t('must contain a letter or a digit'),
  control_chars: () => t('contains invisible characters'),
  enrolment_code_form: () => t('must be the 16 characters of the code, such as 7K3Q-9M2X-4HPR-ZT8W'),
  totp_digits: (p) => t('must be the {0} digits your authenticator app shows', [p.digits]),
  within_year: () => t('must be within a year'),
  over_max_uses: () => t('is more than the number of uses allowed'),
  choose_category: () => t('needs a category'),
  phone_chars: () => t('may hold only digits, spaces and + - ( ), such as 988'),
  hotline_number: () => t('is needed for a hotline: the number to call'),
  title_120: () => t('is required (at most 120 characters)'),
  course_code: () => t('must be a course code: lower-case letters, digits, _ or -'),
  training_name: () => t('needs a name of 1 to 80 characters'),
  training_giver: () => t('needs the person who gives the training'),
  campaign_name: () => t('needs a name of 1 to 80 characters'),
  campaign_month: () => t('needs the month the campaign starts'),
  campaign_months: (p) => t('must be 1 to {0} months', [p.max]),
  campaign_time: () => t('must be a time inside the months of the campaign'),
  window_over: () => t('is already over'),
  seats_between: (p) => t('must be {0} to {1} seats', [p.min, p.max]),
  before_first_day: (p) => t('is before the first day ({0})', [dateOr(p.day)]),
  quiet_hours_zone: () => t('is needed with quiet hours'),
  valid_months: () => t('must be 0 (never expires) to 60 months'),
  training_window: () => t('must be a future period of at most 31 days'),
  invitees: (p) => t('must invite 1 to {0} officers or peer supporters', [p.max]),
  days_ahead: (p) => t('must be at most {0} days ahead', [p.days]),
  not_proposed: () => t('is not one of the times proposed'),
  propose_times: (p) => t('needs 1 to {0} times', [p.max]),
  refer_self: () => t('is you: refer an officer you support'),
  rotation_pattern: () => t('is not a rotation Tenfour knows'),
  unknown_agency: () => t('is not a known agency'),
  licence_number: () => t('may hold only letters, digits, spaces and - / . (at most 40)'),
  licensed_where: () => t('must list where the therapist is licensed'),
  file_size: (p) => t('is larger than {0} kB', [p.kb]),
  not_calendar: () => t('is not a calendar file (.ics)'),
  calendar_zone: () => t('names no time zone: choose the zone of your shifts'),
  week_below_day: (p) => t('is {0}, below the {1} a day: the daily limit could never be reached', [p.week, p.day]),
  sleep_same: () => t('must differ from the time you go to sleep'),
  sleep_too_long: (p) => t('That makes {0} h {1} min of sleep, more than the {2} h allowed.', [p.hours, p.minutes, p.max]),
  at_most_items: (p) => t('may list at most {0}', [p.max]),
  spans_days: (p) => t('must span at most {0} days', [p.days]),
  minutes_choice: (p) => t('must be one of {0} minutes', [p.choices]),
  not_a_choice: () => t('is not one of the choices'),
  not_an_id: () => t('does not name anything Tenfour knows'),
  lower_word: (p) => t('must be at most {0} characters of a-z and _', [p.max]),
  push_key: () => t('is not a browser push key Tenfour can use'),
  max_bytes: () => t('is too large'),
  after_creation: () => t('must be after it is created'),
  changed_meanwhile: () => t('was changed meanwhile: reload the page and try again'),
  scale_0_10: () => t('must be 0 (none) to 10 (extreme)'),
  scale_1_5: () => t('must be 1 to 5'),
  username_choose: () => t('cannot be made from the e-mail address: choose one'),
  choose_agency: () => t('needs the agency'),
  cycle_letters: () => t('needs one working letter, and each letter and repeat at least once'),
  cycle_undefined: () => t('must say what every letter of the cycle means (or name a rotation)'),
  template_mixes: () => t('mixes shift letters: edit the cycle instead'),
  group_seat: () => t('a seat in a group session is taken from the group session itself'),
  urgent_elsewhere: () => t('urgent help is asked for with Talk to someone now'),
  peer_own_agency: () => t('must be the peer supporter\'s own agency'),
  not_for_peers: () => t('is for clinicians: peer supporters hold no licence'),
  needs_zone: () => t('needs a time zone'),
  device_needed: () => t('needs the device'),
  pseudonymous_role: () => t('is not used for this role: its accounts have no e-mail'),
  used_elsewhere: () => t('was already used for another request'),
  agencies_only: () => t('is for agencies only'),
  language_tag: () => t('must be language codes such as en or fr-CA'),
  offset_form: () => t('must be a time such as 24h, 90m or 2d'),
  not_a_date: () => t('is not a real date'),
  wall_time: () => t('must be a local time, without a UTC offset'),
  peer_roster: () => t('needs your shift roster first (My shifts)'),
  cycle_too_long: (p) => t('is longer than {0} days', [p.max]),
  window_or_day_off: () => t('needs at least one window, or mark the day off'),
  day_off_empty: () => t('must be empty on a day off'),
  cap_between: (p) => t('must be 0 (no limit) or between {0} and {1}', [p.min, p.max]),
  id_chars: (p) => t('must be 1 to {0} characters of A-Z, a-z, 0-9, _ or -', [p.max]),
  wrong_type: () => t('has the wrong kind of value'),
  contact_form: () => t('must be an e-mail address or a phone number such as +15551234567'),
  same_start_end: () => t('must not start and end at the same time'),
  sleep_max_hours: (p) => t('must be at most {0} h long', [p.max]),
  shift_over_day: () => t('is over 24 h'),
  shift_letter: () => t('must be one capital letter A-Z'),
  pattern_letter: () => t('uses a letter the cycle does not define'),
};
export const knownFieldCodes = () => Object.keys(FIELD_TEXTS);

// A field's problems (the gateway's field_reasons for it) in the reader's words, joined by "; ";
// a problem without a known code keeps the service's English text.
export function fieldText(reasons, fallback = '') {
  if (!Array.isArray(reasons) || !reasons.length) return fallback;
  return reasons.map((r) => (FIELD_TEXTS[r.code] ? FIELD_TEXTS[r.code](r.params || {}) : r.message)).filter(Boolean).join('; ');
}
