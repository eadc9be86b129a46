// Providers offer a group session or workshop (a start, a number of seats, a topic), once or as
// a weekly series. Officers find open groups under "Find a time" (kind: Group) and take a seat.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, clear } from '../dom.js';
import * as api from '../api.js';
import { range } from '../time.js';

export const TOPICS = [
  ['critical_incident', t('After a critical incident')], ['stress_burnout', t('Stress and burnout')],
  ['sleep', t('Sleep and shift work')], ['grief', t('Grief and loss')], ['trauma_ptsd', t('Trauma')],
  ['moral_injury', t('Moral injury')], ['depression_anxiety', t('Low mood and anxiety')],
  ['couples_family', t('Family and relationships')], ['career_transition', t('Injury, retirement, leaving the job')],
  ['substance_use', t('Alcohol and other substances')], ['anger', t('Anger')],
];

// "2026-03-04T08:00" in the browser's zone -> an RFC 3339 instant.
const instant = (local) => new Date(local).toISOString();

export async function offerGroup(main) {
  const form = h('form', { class: 'card', novalidate: true },
    field({ name: 'start', label: t('Starts at'), type: 'datetime-local', required: true }),
    h('div', { class: 'row' },
      field({ name: 'capacity', label: t('Seats'), type: 'number', value: 6, hint: t('2 to 8 people besides you.'), attrs: { min: 2, max: 8 } }),
      field({ name: 'weeks', label: t('Weekly, how many times'), type: 'number', value: 1, hint: t('1 = once.'), attrs: { min: 1, max: 12 } })),
    field({ name: 'topic_code', label: t('Topic'), type: 'select', value: 'critical_incident', options: TOPICS }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Offer the group') })));
  const results = h('div', { 'aria-live': 'polite' });
  main.append(h('p', { text: t('Officers of the agency you serve see open groups when they look for a time, and take a seat. Calendar entries stay neutral.') }), form, results);
  onSubmit(form, async () => {
    const start = valueOf(form, 'start');
    if (!start) throw { code: 'INVALID_ARGUMENT', message: '', fields: { start: t('Choose when the group starts.') } };
    const weeks = Math.max(1, Math.min(12, Number(valueOf(form, 'weeks')) || 1));
    const key = api.idempotencyKey();
    const offered = [];
    for (let i = 0; i < weeks; i += 1) {
      const at = new Date(start); at.setDate(at.getDate() + 7 * i);
      offered.push(await api.call('scheduling', 'OfferGroupSession', {
        idempotency_key: `${key}-${i}`, start: instant(at), capacity: Number(valueOf(form, 'capacity')), topic_code: valueOf(form, 'topic_code'),
      }));
    }
    clear(results).append(notice('ok', offered.length === 1 ? t('Group offered.') : t('{0} groups offered.', [offered.length]),
      h('ul', { class: 'list' }, offered.map((a) => h('li', { text: t('{0} · {1} seats', [range(a.time), a.capacity]) }))),
      h('p', {}, h('a', { href: '#/upcoming', text: t('See upcoming sessions') }))));
  }, undefined, results);
}
