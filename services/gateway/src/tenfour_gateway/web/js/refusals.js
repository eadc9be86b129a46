// What a refusal of a whole request says (a wrong password, a session that is gone, the service
// busy), by the code the gateway sends with it (`reason`, from tenfour_shared.message_texts), in
// the reader's language. A refusal without a known code keeps the service's words (dom.js plain()).
import { t, language } from './i18n.js';

const MESSAGES = {
  not_available_yet: () => t('This is not available yet.'),
  service_busy: () => t('The service is busy or restarting. Please try again in a moment.'),
  too_slow: () => t('That took too long. Please try again.'),
  our_side: () => t('Something went wrong on our side. Please try again.'),
  cancelled: () => t('The request was cancelled.'),
  sign_in_again: () => t('Please sign in again.'),
  not_allowed: () => t('You are not allowed to do this.'),
  request_failed: () => t('The request failed.'),
  other_site: () => t('This request came from another site.'),
  no_such_operation: () => t('Tenfour does not know this request.'),
  wrong_credentials: () => t('Wrong username, e-mail or password.'),
  code_refused: () => t('This agency code is not valid or has expired. Ask your agency for a new one.'),
  username_taken: () => t('This username is taken. Choose another.'),
  email_taken: () => t('An account with this e-mail address exists already.'),
  account_locked: () => t('This account is locked after too many failed sign-ins. Sign in with the code from your authenticator app, or ask your agency administrator to unlock it.'),
  too_many_attempts: (p) => t('Too many attempts. Try again in {0} seconds.', [p.seconds]),
  account_deactivated: () => t('This account is deactivated.'),
  mfa_start_again: () => t('The two-step sign-in set-up expired or changed. Please start again.'),
  mfa_already_on: () => t('Two-step sign-in is already on for this account.'),
  no_such_licence: () => t('This licence is not there any more.'),
  no_such_enrolment_code: () => t('There is no such enrolment code.'),
  confirmation_link: () => t('This confirmation link is unknown or expired. Ask for a new one.'),
  too_many_mails: () => t('Too many confirmation e-mails this hour. Try again later.'),
  too_many_devices: (p) => t('At most {0} devices. Remove one first.', [p.max]),
  admin_self_deactivate: () => t('A system administrator cannot deactivate their own account.'),
  not_in_agency: () => t('This person is not in your agency.'),
  already_peer: () => t('This officer is already a peer supporter.'),
  peers_not_clinicians: () => t('Peer supporters are not licensed clinicians.'),
  training_peers_only: () => t('Training requirements apply to peer supporters only.'),
  changing_retry: () => t('This was being changed at the same time. Please try again.'),
  hours_changed: () => t('The provider\'s hours changed meanwhile. Please look again.'),
  no_roster: () => t('Enter your shifts first (My shifts).'),
  set_hours_first: () => t('Set the weekly hours first (Hours).'),
  provider_deactivated: () => t('This provider was deactivated: their hours can no longer change.'),
  provider_not_taking: () => t('This provider is no longer taking bookings.'),
  no_such_provider: () => t('This provider is not available to your agency.'),
  no_such_appointment: () => t('This session is not there any more.'),
  only_booked_moves: () => t('Only a booked session can be moved.'),
  session_started: () => t('The session has already started.'),
  group_no_move: () => t('A seat in a group session cannot be moved. Cancel it instead.'),
  held_expired: () => t('This time is no longer held for you. Please choose again.'),
  series_expired: () => t('This series plan has expired. Please plan it again.'),
  seat_already: () => t('You already have a seat in this group session.'),
  group_closed: () => t('This group session is no longer open.'),
  no_such_group: () => t('This group session is not there any more.'),
  waiting_limit: (p) => t('You are already on {0} waiting lists. Leave one first.', [p.max]),
  no_such_waitlist: () => t('This waiting-list entry is not there any more.'),
  referral_closed: () => t('This referral is no longer open: already booked, answered or expired.'),
  no_proposed_times: () => t('No proposed times are open. Ask the clinician again.'),
  times_proposed: () => t('Times were already proposed: the officer is choosing.'),
  no_such_referral: () => t('This referral is not there any more.'),
  referral_not_yours: () => t('This referral is for someone else.'),
  refer_seen_only: () => t('You can refer only officers you have had a session with.'),
  check_in_booked: () => t('You already booked this check-in. Move or cancel it instead.'),
  no_such_campaign: () => t('This check-in campaign is not there any more.'),
  no_calendar_subscription: () => t('You have no calendar subscription.'),
  no_such_calendar_feed: () => t('This calendar link is not valid any more.'),
  no_such_resource: () => t('This resource is not there any more.'),
  resources_limit: (p) => t('At most {0} resources. Remove one first.', [p.max]),
  no_such_training: () => t('This training record is not there any more.'),
  no_call_yet: () => t('This session\'s call is not ready yet. Try again in a moment.'),
  session_not_open: () => t('This session is not open yet. It opens 10 minutes before the start.'),
  session_over: () => t('This session\'s time has passed.'),
  session_ended: () => t('This session has ended.'),
  removed_from_session: () => t('You were removed from this session.'),
  not_participant: () => t('You are not taking part in this session.'),
  provider_only: () => t('Only the session\'s provider can do this.'),
  not_in_call: () => t('That person is not in the call any more.'),
  too_many_checks: () => t('Too many camera checks at once. Try again shortly.'),
  no_such_urgent: () => t('This request for help is not there any more.'),
  feedback_not_yet: () => t('Feedback opens once the session has taken place.'),
  feedback_given: () => t('Feedback for this session was already given.'),
  wrap_up_recorded: () => t('This session\'s wrap-up is already recorded.'),
  wrap_up_not_yet: () => t('A wrap-up comes after the session: nobody has joined it yet.'),
  campaign_overlaps: () => t('Another campaign already runs in some of these months. Choose months after it ends.'),
  campaign_unconfirmed: () => t('This campaign was launched without attendance confirmation: only hidden figures exist.'),
  check_in_consent: () => t('This check-in tells your agency whether you attended (yes or no, nothing else). Confirm that you understand before booking.'),
  referral_agree_first: () => t('Agree to the referral first; it can be used once, before it expires.'),
  times_not_asked: () => t('The officer has not asked for times on this referral.'),
  facilitator_no_hours: () => t('The facilitator has no free hours for group sessions then. Choose other dates or ask them to add group hours.'),
  calendar_busy_now: () => t('Your calendar has another session right now. The request stays open for others.'),
  peer_not_rested: () => t('Not now: urgent requests go to peer supporters who are rested.'),
  echo_timeout: () => t('The camera check got no answer in time. Please try again.'),
  no_such_agency: () => t('There is no such agency.'),
  agency_exists: () => t('An agency with this id exists already.'),
  feedback_link_invalid: () => t('This feedback link is not valid.'),
  not_your_scope: () => t('You can only see and change what belongs to you or your agency.'),
  clinician_not_in_agency: (p) => t('Clinician {0} is not a clinician of your agency.', [Number(p.i) + 1]),
  clinician_refused: (p) => t('Clinician {0} cannot be referred to: {1}.', [Number(p.i) + 1, why(p)]),
  proposed_time_shifts_unknown: (p) => t('Time {0} ({1}): the officer\'s shifts are not known yet. Try later.', [p.n, localWhen(p.when)]),
  proposed_time_not_fitting: (p) => t('Time {0} ({1}) does not fit the officer\'s shifts or rest.', [p.n, localWhen(p.when)]),
  proposed_time_not_offered: (p) => t('Time {0} ({1}): you do not offer individual sessions then.', [p.n, localWhen(p.when)]),
  proposed_time_refused: (p) => t('Time {0} ({1}) cannot be offered: {2}.', [p.n, localWhen(p.when), why(p)]),
};
// Why a clinician cannot be referred to or a time offered (message_texts.WHY_CODES); an unknown
// one keeps the service's words.
const WHY = {
  not_bookable_yet: () => t('the clinician cannot be booked yet'),
  provider_unavailable: () => t('the clinician is not taking bookings'),
  not_serving_agency: () => t('the clinician does not serve this agency'),
  session_type_not_offered: () => t('the clinician does not offer individual sessions'),
  unlicensed: () => t('the clinician holds no licence valid where the officer lives'),
  training_lapsed: () => t('the required training is not current'),
  provider_busy: () => t('the clinician has another session then'),
  provider_limit: () => t('the clinician has no more sessions free that day or week'),
  too_soon: () => t('it is too soon: sessions need more notice'),
  too_far_ahead: () => t('it is too far ahead to book yet'),
  outside_provider_hours: () => t('it is outside the clinician\'s hours'),
};
export const knownWhyCodes = () => Object.keys(WHY);
const why = (p) => (WHY[p.why_code] ? WHY[p.why_code]() : String(p.why || ''));
// "Thu 05 Mar 02:00 CST" (the service's English, in the clinician's zone) with the weekday and
// month in the reader's language; the day, time and zone stay as sent.
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']; // i18n-ignore
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']; // i18n-ignore
function localWhen(text) {
  const m = /^(\w{3}) (\d{2}) (\w{3}) (.*)$/.exec(String(text || ''));
  if (!m || !DAYS.includes(m[1]) || !MONTHS.includes(m[3])) return String(text || '');
  const day = new Intl.DateTimeFormat(language, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, 1, 1 + DAYS.indexOf(m[1]))));
  const month = new Intl.DateTimeFormat(language, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2026, MONTHS.indexOf(m[3]), 15)));
  return `${day} ${m[2]} ${month} ${m[4]}`;
}
export const knownMessageCodes = () => Object.keys(MESSAGES);
export function messageText(error) {
  const reason = error?.reason;
  return reason && MESSAGES[reason.code] ? MESSAGES[reason.code](reason.params || {}) : '';
}
