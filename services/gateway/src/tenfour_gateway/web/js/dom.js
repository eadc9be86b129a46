// DOM helpers. Never innerHTML: the page's CSP enforces Trusted Types, so text goes in as text.
import { t, language } from './i18n.js';
import { refusal, fieldText } from './reasons.js';
import { messageText } from './refusals.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

let fieldCounter = 0;

// A labelled control with a hint and a slot for the server's message about it.
// `name` is the request field path the server names in its field violations.
export function field({ name, label, type = 'text', value, required, options, hint, attrs = {}, inline }) {
  const id = `f${++fieldCounter}`;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : undefined;
  const described = [hintId, errorId].filter(Boolean).join(' ');
  let control;
  if (type === 'select') {
    control = h('select', { id, name, 'aria-describedby': described, required, ...attrs },
      (options || []).map(([v, text]) => h('option', { value: v, text, selected: String(v) === String(value ?? '') })));
  } else if (type === 'textarea') {
    control = h('textarea', { id, name, 'aria-describedby': described, required, ...attrs });
    if (value !== undefined) control.value = value;
  } else if (type === 'checkbox') {
    control = h('input', { id, name, type, 'aria-describedby': described, ...attrs });
    control.checked = Boolean(value);
  } else {
    const bounds = type === 'date' ? dateBounds() : type === 'datetime-local' ? dateBounds('T00:00') : {};
    // A date or time picker in the page's language where the browser honours `lang` (README:
    // most still follow the browser's own locale).
    const picker = ['date', 'time', 'datetime-local'].includes(type) ? { lang: language } : {};
    control = h('input', { id, name, type, 'aria-describedby': described, required, ...bounds, ...picker, ...attrs });
    if (value !== undefined && value !== null) control.value = value;
  }
  control.dataset.field = name;
  const wrap = h('div', { class: `field${inline || type === 'checkbox' ? ' inline' : ''}` });
  if (type === 'checkbox') append(wrap, [control, h('label', { for: id, text: label })]);
  else append(wrap, [h('label', { for: id, text: label }), control]);
  if (hint) wrap.append(h('p', { class: 'hint', id: hintId, text: hint }));
  wrap.append(h('p', { class: 'field-error', id: errorId }));
  return wrap;
}

// A control by the request field it fills; `data-server-field` names the one a service reports
// when the page sends the value under another name ("Valid for (days)" becomes expires_at).
export function control(form, name) {
  const key = CSS.escape(name);
  return form.querySelector(`[data-field="${key}"]`) || form.querySelector(`[data-server-field="${key}"]`);
}

export function valueOf(form, name) {
  const el = control(form, name);
  if (!el) return undefined;
  return el.type === 'checkbox' ? el.checked : el.value;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  const summary = form.querySelector('.form-summary');
  if (summary) summary.remove();
}

// Candidates for where a server field path is shown: exact, without the request's wrapper
// ("roster.anchor" -> "anchor"), then ever shorter prefixes ("rules.weekly[2].end" -> "rules.weekly[2]").
function candidates(path) {
  const out = [path];
  const dot = path.indexOf('.');
  if (dot > 0) out.push(path.slice(dot + 1));
  let p = path;
  while (/[.[]/.test(p)) {
    p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
    if (!p || out.includes(p)) break;
    out.push(p);
  }
  return out;
}

// Server wording made plain for people: no request paths ("rules.weekly[10]" becomes
// "window 11"), no machine codes ("(officer_day_limit)"), no "invalid request:" prefix.
export function plain(message) {
  const code = /\(([a-z]+(?:_[a-z]+)*)\)\s*$/.exec(String(message || ''))?.[1]; // unlicensed, officer_day_limit
  if (code && refusal(code)) return refusal(code);
  return String(message || '')
    .replace(/^(invalid request|invalid argument|cannot book this time)\s*:\s*/i, '')
    .replace(/\s*\((?:[a-z]+_)+[a-z]+\)/g, '')
    .replace(/\b(?:rules\.)?(weekly|overrides|time_off|sessions|shifts)\[(\d+)\](?:\.[a-z_]+)*/g,
      (_, kind, n) => PATH_WORDS[kind](Number(n) + 1))
    .replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (word) => word.replace(/_/g, ' '))
    .trim();
}
// What a failed request says, in the reader's language when the gateway sent its code
// (`reason`), else the server's words made plain.
export function errorText(error) {
  return messageText(error) || plain(error?.message);
}
const PATH_WORDS = {
  weekly: (n) => t('window {0}', [n]), overrides: (n) => t('change {0}', [n]), time_off: (n) => t('time off {0}', [n]),
  sessions: (n) => t('session setting {0}', [n]), shifts: (n) => t('shift {0}', [n]),
};

// One server message for a field ("must have at least 12 characters; is too repetitive") as
// sentences that name the field: "Password must have at least 12 characters." per line.
function sentences(label, message) {
  return plain(message).split(/;\s+|\n/).filter(Boolean).map((part) => {
    const text = /^[a-z]/.test(part) && label ? t('{0} {1}', [label, part]) : part.charAt(0).toUpperCase() + part.slice(1);
    return /[.!?]$/.test(text) ? text : `${text}.`;
  }).join('\n');
}

function labelOf(el) {
  const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
  return label ? label.textContent.trim() : '';
}

// Shows an ApiError on a form: each field's message next to its field, the rest on top.
export function showErrors(form, error) {
  clearErrors(form);
  const loose = [];
  let first = null;
  for (const [path, english] of Object.entries(error.fields || {})) {
    const message = fieldText(error.fieldReasons?.[path], english); // the reader's language when the code is known
    const el = candidates(path).map((p) => control(form, p) || bySuffix(form, p) || byPrefix(form, p)).find(Boolean);
    if (!el) { loose.push(sentences('', message)); continue; }
    el.setAttribute('aria-invalid', 'true');
    const slot = document.getElementById(`${el.id}-error`);
    const text = sentences(labelOf(el), message);
    if (slot && !slot.textContent.includes(text)) slot.textContent = slot.textContent ? `${slot.textContent}\n${text}` : text;
    first = first || el;
  }
  if (loose.length || !first) {
    // With field messages the summary only points at them: the server's own summary repeats them.
    const lead = Object.keys(error.fields || {}).length ? t('Please correct what is marked.') : (errorText(error) || t('That did not work.'));
    const summary = h('div', { class: `notice ${error.code === 'UNIMPLEMENTED' ? 'unavailable' : 'error'} form-summary`, role: 'alert' },
      h('p', { text: lead.charAt(0).toUpperCase() + lead.slice(1) }),
      loose.length ? h('ul', {}, loose.map((line) => h('li', { text: line }))) : null);
    form.prepend(summary);
    if (!first) summary.setAttribute('tabindex', '-1'), summary.focus();
  }
  if (first) first.focus();
}

// A message about a whole row ("rules.weekly[2]") lands on the row's first control.
function byPrefix(form, path) {
  return [...form.querySelectorAll('[data-field]')].find((el) => el.dataset.field.startsWith(`${path}.`) || el.dataset.field.startsWith(`${path}[`));
}

// The server may name a field without the request's wrapper ("cycle" for "roster.cycle").
function bySuffix(form, path) {
  return [...form.querySelectorAll('[data-field]')].find((el) => el.dataset.field.endsWith(`.${path}`));
}

export function notice(kind, text, ...more) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : undefined }, h('p', { text }), ...more);
}

// What a page shows when its backend call failed; "not available yet" for UNIMPLEMENTED.
export function failure(error, what = '') {
  if (error && error.code === 'UNIMPLEMENTED') {
    return notice('unavailable', what ? t('{0}: not available yet.', [what]) : t('Not available yet.'),
      h('p', { class: 'muted', text: t('This part of Tenfour is still being built. Nothing is shown rather than made-up data.') }));
  }
  const text = errorText(error) || t('Something went wrong.');
  return notice('error', what ? t('{0}: {1}', [what, text]) : text.charAt(0).toUpperCase() + text.slice(1));
}

// What an action (a button, not a form) says in `area`: it replaces what the last action said
// there and the page's status line, so an old "Saved." or error never stands beside a new one.
export function say(area, node) {
  setStatus('');
  for (const old of area.querySelectorAll(':scope > .said')) old.remove();
  node.classList.add('said');
  area.append(node);
  return node;
}

export function setStatus(text, kind = '') {
  const el = document.getElementById('status');
  clear(el);
  if (text) el.append(h('div', { class: `notice ${kind}` }, text));
}

// The dates a person can mean (the services refuse others too): 20 years back, 10 ahead.
function dateBounds(time = '') {
  const now = new Date();
  const iso = (years) => `${now.getFullYear() + years}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(Math.min(now.getDate(), 28)).padStart(2, '0')}${time}`;
  return { min: iso(-20), max: iso(10) };
}

// Date (and date-time) inputs outside their bounds, with a message in plain words next to each.
function badDates(form) {
  const fields = {};
  for (const el of form.querySelectorAll('input[type=date], input[type=datetime-local]')) {
    if (el.disabled || (!el.value && !el.validity.badInput)) continue;
    if (el.validity.badInput || (el.min && el.value < el.min) || (el.max && el.value > el.max)) {
      fields[el.dataset.field || el.name] = t('must be between {0} and {1}', [el.min.slice(0, 10), el.max.slice(0, 10)]);
    }
  }
  return Object.keys(fields).length ? { code: 'INVALID_ARGUMENT', message: '', fields } : null;
}

// Runs `work` on submit with the button disabled; field errors land next to the fields, then
// `shown(error)` may add what a page marks besides its fields. `output`: where the form's result
// is shown, emptied on each submit like the status line.
export function onSubmit(form, work, shown = () => {}, output = null) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    clearErrors(form);
    setStatus(''); // one message area: an earlier "Saved." never stands next to a new error
    if (output) clear(output);
    try {
      const dates = badDates(form);
      if (dates) throw dates;
      await work(event);
    } catch (error) {
      const problem = error && error.fields !== undefined ? error : { code: 'INTERNAL', message: String(error?.message || error), fields: {} };
      showErrors(form, problem);
      shown(problem);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return form;
}
