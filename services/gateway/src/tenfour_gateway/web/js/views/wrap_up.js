// After an urgent session its provider says what happens next; outcomes counts the answers per
// agency (suppressed), nothing else is kept.
import { t } from '../i18n.js';
import { h, errorText } from '../dom.js';
import * as api from '../api.js';

const WRAP_UPS = [['follow_up_booked', t('Follow-up booked')], ['referred', t('Referred on')], ['none', t('Nothing further')]];

export async function offerWrapUp(box, appointmentId) {
  try {
    const a = await api.call('scheduling', 'GetAppointment', { appointment_id: appointmentId });
    if (a.urgent) box.append(wrapUp(appointmentId));
  } catch { /* not a scheduled session (or gone): nothing to wrap up */ }
}

function wrapUp(appointmentId) {
  const said = h('p', { 'aria-live': 'polite' });
  const box = h('section', { class: 'card wrap-up', 'aria-labelledby': 'wrap-up-h' },
    h('h2', { id: 'wrap-up-h', text: t('Wrap-up: what happens next?') }),
    h('div', { class: 'actions' }, WRAP_UPS.map(([outcome, label]) => {
      const button = h('button', { type: 'button', class: 'secondary', text: label });
      button.addEventListener('click', async () => {
        for (const b of box.querySelectorAll('button')) b.disabled = true;
        try {
          await api.call('scheduling', 'WrapUpUrgentSession', { appointment_id: appointmentId, outcome });
          said.textContent = t('Thank you. Your wrap-up is recorded.');
        } catch (error) {
          said.textContent = errorText(error) || t('That did not work.');
          for (const b of box.querySelectorAll('button')) b.disabled = false;
        }
      });
      return button;
    })),
    said);
  return box;
}
