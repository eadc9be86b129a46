// Peer-supporter readiness: the coordinator's training page and a peer's own status.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { isoDay } from '../time.js';
import { trainingList } from './training_sessions.js';

const STATES = {
  READINESS_STATE_CURRENT: t('Current'),
  READINESS_STATE_LAPSING: t('Expires within 30 days'),
  READINESS_STATE_LAPSED: t('Not current: not offered to officers'),
  READINESS_STATE_NOT_REQUIRED: t('Nothing required'),
};

const day = (iso) => (iso ? new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso)) : '');
// A date field (local calendar day) as the instant its day starts, in this browser's zone.
const startOf = (text) => (text ? new Date(`${text}T00:00`).toISOString() : undefined);

function courseLines(policy) {
  return (policy.required || []).map((c) => (c.title && c.title !== c.course ? `${c.course}: ${c.title}` : c.course)).join('\n');
}

function parseCourses(text) {
  return String(text || '').split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const at = line.indexOf(':');
    return at < 0 ? { course: line, title: '' } : { course: line.slice(0, at).trim(), title: line.slice(at + 1).trim() };
  });
}

function statusCard(peer, { onRemove } = {}) {
  const card = h('div', { class: 'card peer-readiness', 'data-peer': peer.peer_id });
  const until = peer.ready_until ? t(' until {0}', [day(peer.ready_until)]) : '';
  card.append(
    h('h3', { text: peer.display_name || t('Peer supporter') }),
    h('p', { class: `readiness-state ${peer.offered ? 'ok' : 'warn'}`, text: `${STATES[peer.state] || t('Unknown')}${peer.offered && until ? `: offered${until}` : ''}` }));
  if ((peer.courses || []).length) {
    card.append(h('ul', { class: 'courses' }, peer.courses.map((c) => h('li', {
      text: `${c.title || c.course}: ${STATES[c.state] || ''}` + (c.latest?.expires_at ? t(' (expires {0})', [day(c.latest.expires_at)]) : c.latest ? t(' (does not expire)') : t(' (no record)')),
    }))));
  }
  const records = peer.records || [];
  card.append(records.length
    ? h('table', { class: 'report' },
      h('thead', {}, h('tr', {}, [t('Course'), t('Given by'), t('Completed'), t('Expires'), ''].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, records.map((r) => {
        const remove = onRemove ? h('button', { type: 'button', class: 'secondary', text: t('Remove') }) : null;
        if (remove) remove.addEventListener('click', () => onRemove(r));
        return h('tr', {}, h('td', { text: r.course }), h('td', { text: r.provider }), h('td', { text: day(r.completed_at) }),
          h('td', { text: r.expires_at ? day(r.expires_at) : t('Does not expire') }), h('td', {}, remove));
      })))
    : h('p', { class: 'muted', text: t('No training recorded yet.') }));
  return card;
}

export async function training(main) {
  let policy;
  try {
    policy = await api.call('scheduling', 'GetTrainingPolicy', {});
  } catch (error) {
    main.append(failure(error, t('Peer training')));
    return;
  }
  const policyForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Required training') }),
    h('p', { text: t('Peer supporters are offered to officers only while every course listed here is current. Leave empty to require nothing.') }),
    field({ name: 'policy.required', label: t('Required courses, one per line (code: title)'), type: 'textarea', value: courseLines(policy), hint: t('For example: peer_initial_40h: Initial 40-hour course') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save required training') })));
  const peers = h('div', { class: 'peers', 'aria-live': 'polite' });
  const recordForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Record a training') }),
    h('div', { class: 'peer-choice' }),
    field({ name: 'record.course', label: t('Course code'), required: true, hint: t('One of the required codes, or another course') }),
    field({ name: 'record.provider', label: t('Given by'), required: true, hint: t('For example: State POST academy') }),
    field({ name: 'record.completed_at', label: t('Completed on'), type: 'date', required: true, attrs: { max: isoDay(new Date()) } }),
    field({ name: 'record.expires_at', label: t('Expires on (empty: does not expire)'), type: 'date' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Record training') })));
  const said = h('div', { class: 'remove-said', 'aria-live': 'polite' }); // one message area for Remove
  for (const form of [policyForm, recordForm]) form.addEventListener('submit', () => clear(said));
  main.append(policyForm, recordForm, h('h2', { text: t('Peer supporters') }), said, peers);

  async function load() {
    clear(peers);
    let list;
    try {
      list = (await api.call('scheduling', 'ListPeerReadiness', {})).peers || [];
    } catch (error) { peers.append(failure(error, t('Peer supporters'))); return; }
    const choice = recordForm.querySelector('.peer-choice');
    clear(choice).append(field({ name: 'record.peer_id', label: t('Peer supporter'), type: 'select', required: true,
      options: [['', t('Choose…')], ...list.map((p) => [p.peer_id, p.display_name || p.peer_id])] }));
    if (!list.length) peers.append(notice('', t('No peer supporters yet. Nominate officers as peer supporters first.')));
    for (const peer of list) {
      peers.append(statusCard(peer, {
        onRemove: async (r) => {
          try {
            clear(said);
            await api.call('scheduling', 'RemoveTrainingRecord', { peer_id: peer.peer_id, record_id: r.record_id });
            setStatus(t('Training record removed.'), 'ok');
            await load();
          } catch (error) { say(said, failure(error, t('Remove'))); }
        },
      }));
    }
  }
  onSubmit(policyForm, async () => {
    policy = await api.call('scheduling', 'SetTrainingPolicy', { policy: { required: parseCourses(valueOf(policyForm, 'policy.required')) } });
    setStatus(t('Required training saved.'), 'ok');
    await load();
  });
  onSubmit(recordForm, async () => {
    const record = {
      peer_id: valueOf(recordForm, 'record.peer_id') || '',
      course: valueOf(recordForm, 'record.course') || '',
      provider: valueOf(recordForm, 'record.provider') || '',
      completed_at: startOf(valueOf(recordForm, 'record.completed_at')),
      expires_at: startOf(valueOf(recordForm, 'record.expires_at')),
    };
    await api.call('scheduling', 'RecordTraining', { record });
    setStatus(t('Training recorded.'), 'ok');
    recordForm.reset();
    await load();
  });
  await load();
}

export async function readiness(main) {
  let mine;
  try {
    mine = await api.call('scheduling', 'GetPeerReadiness', {});
  } catch (error) {
    main.append(failure(error, t('My training')));
    return;
  }
  main.append(h('p', { text: t('Your agency asks its peer supporters to keep some training current. Your coordinator records it; officers are offered time with you only while it is current.') }),
    statusCard(mine));
  try {
    main.append(trainingList((await api.call('scheduling', 'ListTrainingSessions', {})).sessions || []));
  } catch (error) { main.append(failure(error, t('Training sessions'))); }
}
