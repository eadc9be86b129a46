// The agency's resources page: officers read it (hotlines as tap-to-call links), coordinators
// keep it; the agency's upcoming workshops and group sessions (the group offering) follow, with
// a seat a tap away. Reading it is not recorded anywhere.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import { range } from '../time.js';
import { TOPICS } from './groups.js';

const CATEGORIES = [
  ['RESOURCE_CATEGORY_HOTLINE', t('Hotlines')],
  ['RESOURCE_CATEGORY_FAMILY_SUPPORT', t('Family support')],
  ['RESOURCE_CATEGORY_PSYCHOEDUCATION', t('Understanding stress and trauma')],
  ['RESOURCE_CATEGORY_RESILIENCE', t('Resilience')],
  ['RESOURCE_CATEGORY_WORKSHOP', t('Workshops')],
];

const LINK_REL = 'noopener noreferrer'; // i18n-ignore: a link attribute
const tel = (phone) => `tel:${String(phone).replace(/[^0-9+]/g, '')}`;

function item(r, onRemove) {
  const li = h('li', { class: 'resource', 'data-resource': r.resource_id },
    h('strong', { text: r.title }),
    r.description ? h('p', { text: r.description }) : null,
    r.phone ? h('p', {}, h('a', { class: 'call', href: tel(r.phone), text: t('Call {0}', [r.phone]) })) : null,
    r.url ? h('p', {}, h('a', { href: r.url, rel: LINK_REL, target: '_blank', text: t('Open the page') })) : null);
  if (onRemove) {
    const remove = h('button', { type: 'button', class: 'secondary', text: t('Remove') });
    remove.addEventListener('click', () => onRemove(r));
    li.append(remove);
  }
  return li;
}

const topicName = (code) => (TOPICS.find(([c]) => c === code) || [code, t('Group session')])[1];

// Why the reader cannot attend, in plain words (the first roster or rest rule it breaks).
const CLASHES = {
  on_duty: t('During your shift'),
  pre_shift_buffer: t('Too close to the start of your shift'),
  post_shift_buffer: t('Too soon after your shift'),
  protected_sleep: t('In your sleep time'),
  usual_sleep: t('In your sleep time'),
  quick_return: t('In your short rest between two shifts'),
  consecutive_nights: t('In your rest after night shifts'),
};
const clashOf = (w) => (w.clash_code ? CLASHES[w.clash_code] || t('Clashes with your shifts or rest') : '');

// One upcoming group session: its topic, when (in the reader's roster zone), who gives it and
// the seats left; officers take a seat here (Book checks their shifts and rest as always).
function workshop(w, zone, canBook) {
  const seats = w.seats_free === 1 ? t('1 seat left') : t('{0} seats left', [w.seats_free || 0]);
  const out = h('div', { 'aria-live': 'polite' });
  const clash = clashOf(w);
  const li = h('li', { class: 'workshop', 'data-workshop': w.group_appointment_id },
    h('strong', { text: topicName(w.topic_code) }),
    h('p', { text: t('{0} with {1}', [range(w.time, zone), w.provider_display_name || t('a provider')]) }),
    clash ? h('p', { class: 'clash', text: clash }) : null,
    h('p', { class: 'muted', text: w.seated ? t('You have a seat.') : seats }), out);
  if (w.seated) {
    out.append(h('a', { href: '#/appointments', text: t('Join from my appointments') }));
  } else if (canBook && !clash) {
    const book = h('button', { type: 'button', text: t('Take a seat') });
    book.addEventListener('click', async () => {
      book.disabled = true;
      try {
        await api.call('scheduling', 'Book', { idempotency_key: api.idempotencyKey(), group_appointment_id: w.group_appointment_id });
        book.remove();
        clear(out).append(notice('ok', t('You have a seat.'), h('p', {}, h('a', { href: '#/appointments', text: t('Join from my appointments') }))));
      } catch (error) {
        book.disabled = false;
        clear(out).append(failure(error, t('Booking')));
      }
    });
    out.append(book);
  }
  return li;
}

// Those the reader can attend (or has a seat in) first; those during their shifts or sleep
// behind a button, each saying why, for an officer who could swap a shift.
function workshops(found, canBook) {
  const list = found.workshops || [];
  const zone = found.zone || undefined;
  const fitting = list.filter((w) => w.seated || !w.clash_code);
  const clashing = list.filter((w) => !w.seated && w.clash_code);
  let more = null;
  if (clashing.length) {
    const hidden = h('ul', { class: 'list clashing', hidden: true }, clashing.map((w) => workshop(w, zone, canBook)));
    const show = h('button', { type: 'button', class: 'secondary',
      text: clashing.length === 1 ? t('Show 1 more during your shifts or sleep') : t('Show {0} more during your shifts or sleep', [clashing.length]) });
    show.addEventListener('click', () => { hidden.hidden = false; show.remove(); });
    more = h('div', {}, show, hidden);
  }
  return h('section', { class: 'card workshops' }, h('h2', { text: t('Workshops and group sessions') }),
    fitting.length ? h('ul', { class: 'list' }, fitting.map((w) => workshop(w, zone, canBook))) : null,
    !list.length ? h('p', { class: 'muted', text: t('No workshop or group session is planned for the next 60 days.') })
      : !fitting.length ? h('p', { class: 'muted', text: t('None of the planned workshops fits your shifts and sleep.') }) : null,
    more,
    canBook ? h('p', {}, h('a', { href: '#/find', text: t('Group sessions and workshops you can join are under Find a time.') })) : null);
}

function page(box, found, onRemove) {
  clear(box);
  if (found.crisis_line_text) box.append(notice('', found.crisis_line_text));
  const resources = found.resources || [];
  if (!resources.length) box.append(notice('', t('Your agency has not added resources yet.')));
  for (const [category, label] of CATEGORIES) {
    const mine = resources.filter((r) => r.category === category);
    if (mine.length) box.append(h('section', { class: 'card' }, h('h2', { text: label }), h('ul', { class: 'list' }, mine.map((r) => item(r, onRemove)))));
  }
  box.append(workshops(found, !onRemove));
}

export async function resources(main) {
  const box = h('div', { class: 'resources' });
  main.append(box);
  try {
    page(box, await api.call('scheduling', 'ListResources', {}));
  } catch (error) {
    box.append(failure(error, t('Resources')));
  }
}

export async function manage(main) {
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Add a resource') }),
    field({ name: 'resource.category', label: t('Category'), type: 'select', required: true, options: [['', t('Choose…')], ...CATEGORIES] }),
    field({ name: 'resource.title', label: t('Title'), required: true }),
    field({ name: 'resource.description', label: t('A line about it (optional)'), type: 'textarea' }),
    field({ name: 'resource.phone', label: t('Number to call (hotlines)'), hint: t('For example: 988') }),
    field({ name: 'resource.url', label: t('Web address (optional)'), hint: t('https:// only') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Add resource') })));
  const box = h('div', { class: 'resources', 'aria-live': 'polite' });
  const said = h('div', { class: 'remove-said', 'aria-live': 'polite' }); // one message area for Remove
  form.addEventListener('submit', () => clear(said));
  main.append(h('p', { text: t('What your officers see on their Resources page. Nobody records who reads it.') }), form, said, box);
  async function load() {
    try {
      page(box, await api.call('scheduling', 'ListResources', {}), async (r) => {
        try {
          clear(said);
          await api.call('scheduling', 'RemoveResource', { resource_id: r.resource_id });
          setStatus(t('Resource removed.'), 'ok');
          await load();
        } catch (error) { say(said, failure(error, t('Remove'))); }
      });
    } catch (error) { clear(box).append(failure(error, t('Resources'))); }
  }
  onSubmit(form, async () => {
    await api.call('scheduling', 'SetResource', { resource: {
      category: valueOf(form, 'resource.category') || 'RESOURCE_CATEGORY_UNSPECIFIED',
      title: valueOf(form, 'resource.title') || '', description: valueOf(form, 'resource.description') || '',
      phone: valueOf(form, 'resource.phone') || '', url: valueOf(form, 'resource.url') || '',
    } });
    setStatus(t('Resource added.'), 'ok');
    form.reset();
    await load();
  });
  await load();
}
