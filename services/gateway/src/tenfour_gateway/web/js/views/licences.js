// Clinicians' licences: the agency admin's page (record, remove, compact list), the system
// admin's for any agency (record, remove; compacts are the agency's own rule), a therapist's own.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';

const STATES = {
  LICENCE_STATE_VALID: t('Valid'),
  LICENCE_STATE_EXPIRING: t('Expires within 30 days'),
  LICENCE_STATE_EXPIRED: t('Expired: not offered for this jurisdiction'),
  LICENCE_STATE_NOT_YET: t('Not valid yet'),
};

const day = (iso) => (iso ? new Intl.DateTimeFormat(language, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(iso)) : '');
const startOf = (text) => (text ? new Date(`${text}T00:00`).toISOString() : undefined);

function clinicianCard(c, { onRemove } = {}) {
  const card = h('div', { class: 'card clinician-licences', 'data-clinician': c.clinician_id });
  card.append(h('h3', { text: c.display_name || t('Clinician') }));
  const rows = c.licences || [];
  card.append(rows.length
    ? h('table', { class: 'report' },
      h('thead', {}, h('tr', {}, [t('Jurisdiction'), t('Number'), t('Issued'), t('Expires'), t('Status'), ''].map((label) => h('th', { scope: 'col', text: label })))),
      h('tbody', {}, rows.map(({ licence, state }) => {
        const remove = onRemove ? h('button', { type: 'button', class: 'secondary', text: t('Remove') }) : null;
        if (remove) remove.addEventListener('click', () => onRemove(licence));
        return h('tr', { class: 'licence' }, h('td', { text: licence.jurisdiction }), h('td', { text: licence.number }),
          h('td', { text: day(licence.issued_at) }), h('td', { text: day(licence.expires_at) }),
          h('td', { class: 'licence-state', text: STATES[state] || '' }), h('td', {}, remove));
      })))
    : h('p', { class: 'muted', text: t('No licence recorded: not offered to officers whose jurisdiction is known.') }));
  return card;
}

export async function licences(main) {
  let policy;
  try {
    policy = await api.call('scheduling', 'GetFatiguePolicy', {});
  } catch (error) {
    main.append(failure(error, t('Licences')));
    return;
  }
  const compactForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Interstate compacts') }),
    h('p', { text: t('A clinician is offered to an officer only with a licence valid on the session date in the officer\'s jurisdiction, or in one listed here.') }),
    field({ name: 'policy.compact_jurisdictions', label: t('Also accept licences from (comma-separated)'), value: (policy.compact_jurisdictions || []).join(', '), hint: t('For example: US-CO, US-AZ') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save compacts') })));
  onSubmit(compactForm, async () => {
    const compacts = String(valueOf(compactForm, 'policy.compact_jurisdictions') || '').split(',').map((s) => s.trim()).filter(Boolean);
    policy = await api.call('scheduling', 'SetFatiguePolicy', { policy: { ...policy, version: undefined, compact_jurisdictions: compacts } });
    setStatus(t('Compacts saved.'), 'ok');
  });
  await manage(main, '', compactForm);
}

// A system admin names the agency (its id, from Administration), then manages its clinicians' licences.
export async function agencyLicences(main, params = []) {
  const agency = params[0] || '';
  const choose = h('form', { class: 'card', novalidate: true },
    field({ name: 'agency_id', label: t('Agency id'), value: agency, required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Show its clinicians') })));
  onSubmit(choose, async () => { location.hash = `#/agency-licences/${encodeURIComponent(String(valueOf(choose, 'agency_id') || '').trim())}`; });
  main.append(choose);
  if (agency) await manage(main, agency, null);
}

async function manage(main, agencyId, compactForm) {
  const scope = agencyId ? { agency_id: agencyId } : {};
  const recordForm = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Record a licence') }),
    h('div', { class: 'clinician-choice' }),
    field({ name: 'licence.jurisdiction', label: t('Jurisdiction'), required: true, hint: t('For example: US-CA') }),
    field({ name: 'licence.number', label: t('Licence number'), required: true }),
    field({ name: 'licence.issued_at', label: t('Issued on'), type: 'date', required: true }),
    field({ name: 'licence.expires_at', label: t('Expires on'), type: 'date', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Record licence') })));
  const list = h('div', { class: 'clinicians', 'aria-live': 'polite' });
  // One message area for the list's Remove buttons: a new outcome replaces the last one, and
  // submitting a form clears it (an old error never stands beside a new result).
  const said = h('div', { class: 'licence-said', 'aria-live': 'polite' });
  for (const form of [recordForm, compactForm]) form?.addEventListener('submit', () => clear(said));
  main.append(recordForm, ...(compactForm ? [compactForm] : []), h('h2', { text: t('Clinicians') }), said, list);

  async function load() {
    clear(list);
    let found;
    try {
      found = (await api.call('scheduling', 'ListLicences', scope)).clinicians || [];
    } catch (error) { list.append(failure(error, t('Clinicians'))); return; }
    clear(recordForm.querySelector('.clinician-choice')).append(field({ name: 'licence.clinician_id', label: t('Clinician'), type: 'select', required: true,
      options: [['', t('Choose…')], ...found.map((c) => [c.clinician_id, c.display_name || c.clinician_id])] }));
    if (!found.length) list.append(notice('', t('No clinicians serve this agency yet.')));
    for (const c of found) {
      list.append(clinicianCard(c, {
        onRemove: async (licence) => {
          try {
            clear(said);
            await api.call('scheduling', 'RemoveLicence', { clinician_id: c.clinician_id, licence_id: licence.licence_id });
            setStatus(t('Licence removed.'), 'ok');
            await load();
          } catch (error) { say(said, failure(error, t('Remove'))); }
        },
      }));
    }
  }
  onSubmit(recordForm, async () => {
    const licence = {
      clinician_id: valueOf(recordForm, 'licence.clinician_id') || '',
      jurisdiction: valueOf(recordForm, 'licence.jurisdiction') || '',
      number: valueOf(recordForm, 'licence.number') || '',
      issued_at: startOf(valueOf(recordForm, 'licence.issued_at')),
      expires_at: startOf(valueOf(recordForm, 'licence.expires_at')),
    };
    await api.call('scheduling', 'RecordLicence', { licence });
    setStatus(t('Licence recorded.'), 'ok');
    recordForm.reset();
    await load();
  });
  await load();
}

export async function mine(main) {
  let found;
  try {
    found = (await api.call('scheduling', 'ListLicences', {})).clinicians || [];
  } catch (error) {
    main.append(failure(error, t('My licences')));
    return;
  }
  main.append(h('p', { text: t('Your agency records your licences. You are offered to an officer only with a licence valid in their jurisdiction on the session date.') }),
    ...(found.length ? found.map((c) => clinicianCard(c)) : [notice('', t('No licence recorded yet.'))]));
}
