// System admins: the access audit trail of sessions (who viewed, joined, admitted, cancelled or
// rescheduled), under pseudonyms only, and a check of its hash chain.
import { h, field, onSubmit, valueOf, notice, failure, clear } from '../dom.js';
import * as api from '../api.js';
import { when } from '../time.js';

const ACTIONS = { view: 'Viewed', join: 'Joined', admit: 'Admitted someone', cancel: 'Cancelled', reschedule: 'Moved' };
const ROLES = { officer: 'Officer', therapist: 'Therapist', peer_supporter: 'Peer supporter', agency_admin: 'Coordinator', system_admin: 'System admin' };
const PAGE = 100;

export async function accessAudit(main) {
  const check = h('section', { class: 'card' },
    h('h2', { text: 'Is the trail intact?' }),
    h('p', { class: 'muted', text: 'Each entry holds the fingerprint of the one before it: a changed or removed entry breaks every fingerprint after it.' }));
  const checkResult = h('div', { class: 'chain-result', 'aria-live': 'polite' });
  const checkButton = h('button', { type: 'button', text: 'Check the trail' });
  checkButton.addEventListener('click', async () => {
    checkButton.disabled = true;
    clear(checkResult);
    try {
      const v = await api.call('identity', 'VerifyAuditChain', {});
      const count = Number(v.entries || 0);
      checkResult.append(v.intact
        ? notice('ok', `Intact: ${count} ${count === 1 ? 'entry' : 'entries'} checked.`,
          h('p', { class: 'muted' }, 'Latest fingerprint (note it down): ', h('code', { class: 'head-hash', text: v.head_hash })))
        : notice('error', `Broken at entry ${v.first_broken_seq}: an entry was changed, removed or inserted there.`));
    } catch (error) {
      checkResult.append(failure(error, 'Check'));
    } finally {
      checkButton.disabled = false;
    }
  });
  check.append(h('div', { class: 'actions' }, checkButton), checkResult);

  const filter = h('form', { class: 'card', novalidate: true },
    h('h2', { text: 'Access to sessions' }),
    h('p', { class: 'muted', text: 'People and sessions appear as pseudonyms. To follow one session, enter its appointment id.' }),
    field({ name: 'appointment_id', label: 'Appointment id (optional)' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Show' })));
  const results = h('div', { class: 'audit-results' });
  let after = 0;
  let session = '';

  async function load(more) {
    if (!more) { after = 0; clear(results); }
    const reply = await api.call('identity', 'ListAccessAudit', { appointment_id: session, after_seq: String(after), limit: PAGE });
    const entries = reply.entries || [];
    results.querySelector('.more')?.remove();
    if (!entries.length && !more) {
      results.append(notice('info', session ? 'No access to this session is recorded.' : 'No access is recorded yet.'));
      return;
    }
    let table = results.querySelector('table.audit');
    if (!table) {
      table = h('table', { class: 'audit report' },
        h('thead', {}, h('tr', {}, ...['#', 'When', 'What', 'Session', 'Who', 'Role', 'Seen by'].map((t) => h('th', { text: t })))),
        h('tbody'));
      results.append(table);
    }
    const body = table.querySelector('tbody');
    for (const e of entries) {
      body.append(h('tr', {},
        h('td', { text: String(e.seq) }), h('td', { text: when(e.time) }), h('td', { text: ACTIONS[e.action] || e.action }),
        h('td', {}, h('code', { text: e.session })), h('td', {}, h('code', { text: e.actor })),
        h('td', { text: ROLES[e.actor_role] || e.actor_role }), h('td', { text: e.source })));
    }
    after = Number(entries[entries.length - 1]?.seq || after);
    if (entries.length === PAGE) {
      const button = h('button', { type: 'button', class: 'more', text: 'Show more' });
      button.addEventListener('click', () => load(true).catch((error) => results.append(failure(error, 'Access audit'))));
      results.append(button);
    }
  }

  onSubmit(filter, async () => {
    session = (valueOf(filter, 'appointment_id') || '').trim();
    await load(false);
  });
  main.append(check, filter, results);
  try {
    await load(false);
  } catch (error) {
    results.append(failure(error, 'Access audit'));
  }
}
