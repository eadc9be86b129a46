// Training sessions for staff: the coordinator finds the time most invitees can attend and
// schedules it; staff see the trainings they are invited to.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import { range, isoDay, addDays } from '../time.js';

const when = (iso) => new Intl.DateTimeFormat(language, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
const startOf = (text) => (text ? new Date(`${text}T00:00`).toISOString() : undefined);

function sessionCard(s) {
  const card = h('div', { class: 'card training-session', 'data-training': s.training_id },
    h('h3', { text: s.title }),
    h('p', { text: s.time ? range(s.time) : '' }));
  const seated = (s.seated_ids || []).length;
  const invited = (s.invitee_ids || []).length;
  card.append(h('p', { text: t('{0} of {1} invited have a seat.', [seated, invited]) }));
  if (s.ended) card.append(h('p', { class: 'ok', text: t('{0} attended; their training record is updated.', [(s.attended_ids || []).length]) }));
  return card;
}

export async function trainingSessions(main) {
  let peers = [];
  let clinicians = [];
  let policy = {};
  try {
    peers = (await api.call('scheduling', 'ListPeerReadiness', {})).peers || [];
    clinicians = (await api.call('scheduling', 'ListLicences', {})).clinicians || [];
    policy = await api.call('scheduling', 'GetTrainingPolicy', {});
  } catch (error) { main.append(failure(error, t('Trainings'))); return; }
  const facilitators = [
    ['', t('Choose…')],
    ...clinicians.map((c) => [c.clinician_id, c.display_name || c.clinician_id]),
    ...peers.map((p) => [p.peer_id, p.display_name || p.peer_id]),
  ];
  const courses = (policy.required || []).map((c) => c.course);
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Schedule a training') }),
    h('p', { text: t('Tenfour finds the time most of the people you invite can attend, around their shifts and rest, and seats them.') }),
    field({ name: 'session.course', label: t('Course code'), required: true, value: courses[0] || '', hint: t('Peer supporters who attend get this course recorded.') }),
    field({ name: 'session.title', label: t('Name'), required: true, value: t('Annual peer refresher') }),
    field({ name: 'session.facilitator_id', label: t('Given by'), type: 'select', options: facilitators, hint: t('A therapist or peer supporter with hours for group sessions.') }),
    field({ name: 'invitee_ids', label: t('Invite everyone enrolled (officers and peer supporters)'), type: 'checkbox' }),
    h('fieldset', { class: 'invitees' }, h('legend', { text: t('Or choose peer supporters') }),
      peers.length ? peers.map((p) => field({ name: `peer.${p.peer_id}`, label: p.display_name || p.peer_id, type: 'checkbox' })) : h('p', { class: 'muted', text: t('No peer supporters yet.') })),
    field({ name: 'window', label: t('From'), type: 'date', value: isoDay(addDays(new Date(), 1)) }),
    field({ name: 'window_end', label: t('To'), type: 'date', value: isoDay(addDays(new Date(), 14)) }),
    field({ name: 'session.seats', label: t('Seats (2-8)'), type: 'number', value: 8, attrs: { min: 2, max: 8 } }),
    field({ name: 'session.valid_months', label: t('Valid for months (0: does not expire)'), type: 'number', value: 12, attrs: { min: 0, max: 60 } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Find the best times') })));
  const times = h('div', { class: 'training-times', 'aria-live': 'polite' });
  const list = h('div', { class: 'training-sessions', 'aria-live': 'polite' });
  main.append(form, times, h('h2', { text: t('Trainings') }), list);

  function chosen() {
    return peers.filter((p) => form.querySelector(`[data-field="${CSS.escape(`peer.${p.peer_id}`)}"]`)?.checked).map((p) => p.peer_id);
  }
  function session() {
    return {
      course: valueOf(form, 'session.course') || '',
      title: valueOf(form, 'session.title') || '',
      facilitator_id: valueOf(form, 'session.facilitator_id') || '',
      seats: Number(valueOf(form, 'session.seats')) || 0,
      valid_months: Number(valueOf(form, 'session.valid_months')) || 0,
      invitee_ids: chosen(),
      everyone: Boolean(valueOf(form, 'invitee_ids')),
    };
  }
  async function load() {
    clear(list);
    let found;
    try { found = (await api.call('scheduling', 'ListTrainingSessions', {})).sessions || []; } catch (error) { list.append(failure(error, t('Trainings'))); return; }
    if (!found.length) list.append(notice('', t('No training scheduled yet.')));
    for (const s of found) list.append(sessionCard(s));
  }
  onSubmit(form, async () => {
    clear(times);
    const s = session();
    const end = valueOf(form, 'window_end');
    const plan = await api.call('scheduling', 'PlanTraining', {
      facilitator_id: s.facilitator_id, invitee_ids: s.invitee_ids, everyone: s.everyone, limit: 5,
      window: { start: startOf(valueOf(form, 'window')), end: end ? new Date(new Date(`${end}T00:00`).getTime() + 86400000).toISOString() : undefined },
    });
    if (!(plan.times || []).length) { times.append(notice('warn', t('No time in this window: the facilitator has no free hours for group sessions then.'))); return; }
    times.append(h('h2', { text: t('Best times') }), h('ul', { class: 'list training-time-list' }, plan.times.map((slot) => {
      const pick = h('button', { type: 'button', text: t('Schedule at this time') });
      const said = h('div');
      pick.addEventListener('click', async () => {
        try {
          const made = await api.call('scheduling', 'ScheduleTraining', { session: session(), start: slot.start, idempotency_key: api.idempotencyKey() });
          clear(said).append(notice('ok', t('Scheduled: {0} of {1} invited have a seat.', [(made.seated_ids || []).length, (made.invitee_ids || []).length])));
          pick.disabled = true;
          await load();
        } catch (error) { clear(said).append(failure(error, t('Schedule'))); }
      });
      return h('li', { class: 'training-time' },
        h('span', { text: t('{0}: {1} of {2} can attend', [when(slot.start), slot.can_attend || 0, slot.invited || 0]) }), pick, said);
    })));
  });
  await load();
}

export async function myTrainings(main) {
  let found;
  try { found = (await api.call('scheduling', 'ListTrainingSessions', {})).sessions || []; } catch (error) { main.append(failure(error, t('Trainings'))); return; }
  main.append(trainingList(found));
}

export function trainingList(found) {
  const box = h('div', { class: 'my-trainings' }, h('h2', { text: t('Training sessions') }));
  if (!found.length) { box.append(notice('', t('You are not invited to a training session.'))); return box; }
  for (const s of found) {
    const card = h('div', { class: 'card training-session' }, h('h3', { text: s.title }), h('p', { text: s.time ? range(s.time) : '' }));
    if (s.ended) card.append(h('p', { text: (s.attended_ids || []).length ? t('You attended.') : t('You did not attend.') }));
    else if (s.seated) card.append(notice('ok', t('You have a seat. Join it from your appointments when it starts.'), h('p', {}, h('a', { href: '#/appointments', text: t('See my appointments') }))));
    else card.append(notice('', t('No seat for you this time: it did not fit your shifts and rest, or the seats were taken.')));
    box.append(card);
  }
  return box;
}
