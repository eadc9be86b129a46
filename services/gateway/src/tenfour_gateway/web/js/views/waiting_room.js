// The provider's side of the waiting room in a call: who is waiting (by the name the officer
// chose, for their own provider only), "Let in", and the lines the call says about it. Also the
// waiting officer's message from signaling, said from the catalog by its code.
import { t } from '../i18n.js';
import { h, failure } from '../dom.js';
import * as api from '../api.js';
import { learnNames } from './upcoming.js';

export const PROVIDER_WORD = { therapist: t('therapist'), peer_supporter: t('peer supporter') };

export function waitingText(w) {
  const word = PROVIDER_WORD[w.provider_role] || t('provider');
  if (w.reason_code === 'provider_here') return t('Your {0} is here and will let you in shortly.', [word]);
  if (w.reason_code === 'waiting_for_provider') return t('Waiting for your {0} to let you in.', [word]);
  return w.message || '';
}

export class WaitingRoom {
  // `active()`: whether this caller lets people in (a provider); `say(text)` when it is a pair.
  constructor({ appointmentId, active, say }) {
    Object.assign(this, { appointmentId, active, say });
    this.items = new Map(); // handle -> list item
    this.officerName = '';
    this.list = h('ul', { class: 'list waiting-list' });
    this.box = h('section', { class: 'card', hidden: true, 'aria-labelledby': 'waiting-h' }, h('h2', { id: 'waiting-h', text: t('Waiting room') }), this.list);
  }

  get size() { return this.items.size; }

  add(handle, role) {
    if (!this.active() || this.items.has(handle)) return;
    const admit = h('button', { type: 'button', text: t('Let in') });
    const name = this.officerName;
    const who = role === 'officer' ? (name ? t('{0} is waiting.', [name]) : t('An officer is waiting.')) : t('Someone is waiting.');
    const item = h('li', { dataset: { participant: handle } }, h('span', { text: who }), ' ', admit);
    admit.addEventListener('click', async () => {
      admit.disabled = true;
      try {
        await api.call('signaling', 'Admit', { appointment_id: this.appointmentId, participant_id: handle });
      } catch (error) {
        admit.disabled = false;
        item.append(failure(error));
      }
    });
    this.items.set(handle, item);
    this.list.append(item);
    this.box.hidden = false;
    this.say(this.line());
  }

  line() {
    return this.officerName ? t('{0} is in the waiting room. Let them in when you are ready.', [this.officerName]) : t('Someone is in the waiting room. Let them in when you are ready.');
  }

  drop(handle) {
    this.items.get(handle)?.remove();
    this.items.delete(handle);
    if (!this.items.size) { if (!this.list.querySelector('li.muted')) this.list.append(h('li', { class: 'muted', text: t('Nobody is waiting.') })); }
    else for (const el of this.list.querySelectorAll('li.muted')) el.remove();
  }

  // One to one: the name the officer chose at sign-up (identity gives it to their provider only).
  async learnOfficerName() {
    try {
      const appointment = await api.call('scheduling', 'GetAppointment', { appointment_id: this.appointmentId });
      if ((appointment.officer_ids || []).length !== 1 || appointment.session_type === 'SESSION_TYPE_GROUP') return;
      const names = new Map();
      await learnNames([appointment], names);
      this.officerName = names.get(appointment.officer_ids[0]) || '';
    } catch { /* the neutral wording stays */ }
  }
}
