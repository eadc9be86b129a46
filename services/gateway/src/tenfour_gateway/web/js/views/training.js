// Peer-supporter readiness: the coordinator's training page and a peer's own status.
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import { isoDay } from '../time.js';

const STATES = {
  READINESS_STATE_CURRENT: 'Current',
  READINESS_STATE_LAPSING: 'Expires within 30 days',
  READINESS_STATE_LAPSED: 'Not current: not offered to officers',
  READINESS_STATE_NOT_REQUIRED: 'Nothing required',
};

const day = (iso) => (iso ? new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso)) : '');
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
  const until = peer.ready_until ? ` until ${day(peer.ready_until)}` : '';
  card.append(
    h('h3', { text: peer.display_name || 'Peer supporter' }),
    h('p', { class: `readiness-state ${peer.offered ? 'ok' : 'warn'}`, text: `${STATES[peer.state] || 'Unknown'}${peer.offered && until ? `: offered${until}` : ''}` }));
  if ((peer.courses || []).length) {
    card.append(h('ul', { class: 'courses' }, peer.courses.map((c) => h('li', {
      text: `${c.title || c.course}: ${STATES[c.state] || ''}${c.latest?.expires_at ? ` (expires ${day(c.latest.expires_at)})` : c.latest ? ' (does not expire)' : ' (no record)'}`,
    }))));
  }
  const records = peer.records || [];
  card.append(records.length
    ? h('table', { class: 'report' },
      h('thead', {}, h('tr', {}, ['Course', 'Given by', 'Completed', 'Expires', ''].map((t) => h('th', { scope: 'col', text: t })))),
      h('tbody', {}, records.map((r) => {
        const remove = onRemove ? h('button', { type: 'button', class: 'secondary', text: 'Remove' }) : null;
        if (remove) remove.addEventListener('click', () => onRemove(r));
        return h('tr', {}, h('td', { text: r.course }), h('td', { text: r.provider }), h('td', { text: day(r.completed_at) }),
          h('td', { text: r.expires_at ? day(r.expires_at) : 'Does not expire' }), h('td', {}, remove));
      })))
    : h('p', { class: 'muted', text: 'No training recorded yet.' }));
  return card;
}

export async function training(main) {
  let policy;
  try {
    policy = await api.call('scheduling', 'GetTrainingPolicy', {});
  } catch (error) {
    main.append(failure(error, 'Peer training'));
    return;
  }
  const policyForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: 'Required training' }),
    h('p', { text: 'Peer supporters are offered to officers only while every course listed here is current. Leave empty to require nothing.' }),
    field({ name: 'policy.required', label: 'Required courses, one per line (code: title)', type: 'textarea', value: courseLines(policy), hint: 'For example: peer_initial_40h: Initial 40-hour course' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Save required training' })));
  const peers = h('div', { class: 'peers', 'aria-live': 'polite' });
  const recordForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: 'Record a training' }),
    h('div', { class: 'peer-choice' }),
    field({ name: 'record.course', label: 'Course code', required: true, hint: 'One of the required codes, or another course' }),
    field({ name: 'record.provider', label: 'Given by', required: true, hint: 'For example: State POST academy' }),
    field({ name: 'record.completed_at', label: 'Completed on', type: 'date', required: true, attrs: { max: isoDay(new Date()) } }),
    field({ name: 'record.expires_at', label: 'Expires on (empty: does not expire)', type: 'date' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Record training' })));
  main.append(policyForm, recordForm, h('h2', { text: 'Peer supporters' }), peers);

  async function load() {
    clear(peers);
    let list;
    try {
      list = (await api.call('scheduling', 'ListPeerReadiness', {})).peers || [];
    } catch (error) { peers.append(failure(error, 'Peer supporters')); return; }
    const choice = recordForm.querySelector('.peer-choice');
    clear(choice).append(field({ name: 'record.peer_id', label: 'Peer supporter', type: 'select', required: true,
      options: [['', 'Choose…'], ...list.map((p) => [p.peer_id, p.display_name || p.peer_id])] }));
    if (!list.length) peers.append(notice('', 'No peer supporters yet. Nominate officers as peer supporters first.'));
    for (const peer of list) {
      peers.append(statusCard(peer, {
        onRemove: async (r) => {
          try {
            await api.call('scheduling', 'RemoveTrainingRecord', { peer_id: peer.peer_id, record_id: r.record_id });
            setStatus('Training record removed.', 'ok');
            await load();
          } catch (error) { peers.prepend(failure(error, 'Remove')); }
        },
      }));
    }
  }
  onSubmit(policyForm, async () => {
    policy = await api.call('scheduling', 'SetTrainingPolicy', { policy: { required: parseCourses(valueOf(policyForm, 'policy.required')) } });
    setStatus('Required training saved.', 'ok');
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
    setStatus('Training recorded.', 'ok');
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
    main.append(failure(error, 'My training'));
    return;
  }
  main.append(h('p', { text: 'Your agency asks its peer supporters to keep some training current. Your coordinator records it; officers are offered time with you only while it is current.' }),
    statusCard(mine));
}
