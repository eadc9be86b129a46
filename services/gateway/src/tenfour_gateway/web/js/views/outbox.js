// Developers only (`make run`): the mails that the embedded SMTP sink caught, so that a
// confirmation link or a reminder can be seen without a real mailbox.
import { t } from '../i18n.js';
import { h, clear, failure, notice } from '../dom.js';
import * as api from '../api.js';
import { when } from '../time.js';

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;

// Links become clickable; everything else stays text (no HTML from a mail ever reaches the page).
function linkified(text) {
  return String(text || '').split(URL_PATTERN).map((part, i) => (i % 2 ? h('a', { href: part, text: part }) : part));
}

export async function mails(main) {
  main.append(notice('unavailable', t('For developers: mail that Tenfour sent while running on this machine. Real deployments send real mail and have no such page.')));
  const list = h('div', { 'aria-live': 'polite' });
  const again = h('button', { type: 'button', class: 'secondary', text: t('Refresh') });
  main.append(h('div', { class: 'actions' }, again), list);
  const load = async () => {
    again.disabled = true;
    try {
      const found = (await api.call('notifications', 'ListDevMailbox', { limit: 50 })).mails || [];
      clear(list);
      if (!found.length) { list.append(h('p', { text: t('No mail yet.') })); return; }
      list.append(h('ul', { class: 'list mails' }, found.map((m) => h('li', { class: 'mail', dataset: { mailId: m.mail_id } },
        h('p', {}, h('strong', { class: 'subject', text: m.subject || t('(no subject)') })),
        h('p', { class: 'muted', text: t('To {0} · {1}', [(m.rcpt_to || []).join(', '), when(m.received_at)]) }),
        h('pre', { class: 'mail-text' }, linkified(m.text_body))))));
    } catch (error) {
      clear(list).append(failure(error, t('Outbox')));
    } finally {
      again.disabled = false;
    }
  };
  again.addEventListener('click', load);
  await load();
}
