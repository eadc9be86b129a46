// The agency's resources page: officers read it (hotlines as tap-to-call links), coordinators
// keep it. Reading it is not recorded anywhere.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';

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

function page(box, found, onRemove) {
  clear(box);
  if (found.crisis_line_text) box.append(notice('', found.crisis_line_text));
  const resources = found.resources || [];
  if (!resources.length) box.append(notice('', t('Your agency has not added resources yet.')));
  for (const [category, label] of CATEGORIES) {
    const mine = resources.filter((r) => r.category === category);
    if (mine.length) box.append(h('section', { class: 'card' }, h('h2', { text: label }), h('ul', { class: 'list' }, mine.map((r) => item(r, onRemove)))));
  }
  if (!onRemove) box.append(h('p', {}, h('a', { href: '#/find', text: t('Group sessions and workshops you can join are under Find a time.') })));
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
  main.append(h('p', { text: t('What your officers see on their Resources page. Nobody records who reads it.') }), form, box);
  async function load() {
    try {
      page(box, await api.call('scheduling', 'ListResources', {}), async (r) => {
        try {
          await api.call('scheduling', 'RemoveResource', { resource_id: r.resource_id });
          setStatus(t('Resource removed.'), 'ok');
          await load();
        } catch (error) { box.prepend(failure(error)); }
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
