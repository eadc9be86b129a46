// System admins: the access audit trail of sessions (who viewed, joined, admitted, cancelled or
// rescheduled), under pseudonyms only, and a check of its hash chain.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, say } from '../dom.js';
import * as api from '../api.js';
import { when } from '../time.js';

const ACTIONS = { view: t('Viewed'), join: t('Joined'), admit: t('Admitted someone'), cancel: t('Cancelled'), reschedule: t('Moved') };
const ROLES = { officer: t('Officer'), therapist: t('Therapist'), peer_supporter: t('Peer supporter'), agency_admin: t('Coordinator'), system_admin: t('System admin') };
const PAGE = 100;

export async function accessAudit(main) {
  const check = h('section', { class: 'card' },
    h('h2', { text: t('Is the trail intact?') }),
    h('p', { class: 'muted', text: t('Each entry holds the fingerprint of the one before it: a changed or removed entry breaks every fingerprint after it.') }));
  const checkResult = h('div', { class: 'chain-result', 'aria-live': 'polite' });
  const checkButton = h('button', { type: 'button', text: t('Check the trail') });
  checkButton.addEventListener('click', async () => {
    checkButton.disabled = true;
    clear(checkResult);
    try {
      const v = await api.call('identity', 'VerifyAuditChain', {});
      const count = Number(v.entries || 0);
      checkResult.append(v.intact
        ? notice('ok', count === 1 ? t('Intact: 1 entry checked.') : t('Intact: {0} entries checked.', [count]),
          h('p', { class: 'muted' }, t('Latest fingerprint (note it down): '), h('code', { class: 'head-hash', text: v.head_hash })))
        : notice('error', t('Broken at entry {0}: an entry was changed, removed or inserted there.', [v.first_broken_seq])));
    } catch (error) {
      say(checkResult, failure(error, t('Check')));
    } finally {
      checkButton.disabled = false;
    }
  });
  check.append(h('div', { class: 'actions' }, checkButton), checkResult);

  const filter = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Access to sessions') }),
    h('p', { class: 'muted', text: t('People and sessions appear as pseudonyms. To follow one session, enter its appointment id.') }),
    field({ name: 'appointment_id', label: t('Appointment id (optional)') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Show') })));
  const results = h('div', { class: 'audit-results' });
  let after = 0;
  let session = '';

  async function load(more) {
    if (!more) { after = 0; clear(results); }
    const reply = await api.call('identity', 'ListAccessAudit', { appointment_id: session, after_seq: String(after), limit: PAGE });
    const entries = reply.entries || [];
    results.querySelector('.more')?.remove();
    if (!entries.length && !more) {
      results.append(notice('info', session ? t('No access to this session is recorded.') : t('No access is recorded yet.')));
      return;
    }
    let table = results.querySelector('table.audit');
    if (!table) {
      table = h('table', { class: 'audit report' },
        h('thead', {}, h('tr', {}, ...['#', t('When'), t('What'), t('Session'), t('Who'), t('Role'), t('Seen by')].map((t) => h('th', { text: t })))),
        h('tbody'));
      results.append(h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('Access audit') }, table)); // scrolls in its own box on a phone; focusable so keyboard users can scroll it
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
      const button = h('button', { type: 'button', class: 'more', text: t('Show more') });
      button.addEventListener('click', () => load(true).catch((error) => say(results, failure(error, t('Access audit')))));
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
    results.append(failure(error, t('Access audit')));
  }
}
