// The week as a grid of half hours in the provider's zone. Click, drag (mouse) or the keyboard
// (arrows, then Space or Enter) add and remove hours; the weekly windows are derived from what is
// covered, so edges not on a half hour (09:15) survive edits elsewhere. On a phone one day shows
// at a time, with a day picker, and every cell is at least 44 px tall.
import { t } from './i18n.js';
import { h } from './dom.js';
import { hhmm, WEEKDAYS } from './time.js';

const DAY = 1440;
const WEEK = 7 * DAY;
const STEP = 30;
const INDIVIDUAL = ['SESSION_TYPE_INDIVIDUAL'];
const key = (offers) => offers.join(',');

// Weekly windows as pieces of the week in minutes [start, end), none crossing the week's end
// (Sunday 22:00-06:00 becomes Sunday 22:00-24:00 and Monday 00:00-06:00).
export function toPieces(weekly) {
  const out = [];
  for (const w of weekly || []) {
    const day = WEEKDAYS.findIndex(([v]) => v === w.weekday);
    if (day < 0) continue;
    const start = day * DAY + (w.start?.hour || 0) * 60 + (w.start?.minute || 0);
    let end = day * DAY + (w.end?.hour || 0) * 60 + (w.end?.minute || 0);
    if (end <= start) end += DAY; // overnight; equal means 24 h
    const offers = w.offers && w.offers.length ? [...w.offers].sort() : INDIVIDUAL;
    if (end > WEEK) out.push({ start, end: WEEK, offers }, { start: 0, end: end - WEEK, offers });
    else out.push({ start, end, offers });
  }
  return merge(out);
}

function merge(pieces) {
  const sorted = pieces.filter((p) => p.end > p.start).sort((a, b) => a.start - b.start);
  const out = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && last.end === p.start && key(last.offers) === key(p.offers)) last.end = p.end;
    else out.push({ ...p });
  }
  return out;
}

// Sets [from, to) on or off; new hours offer what the hours they touch offer.
export function paint(pieces, from, to, on) {
  const out = [];
  for (const p of pieces) {
    if (p.end <= from || p.start >= to) { out.push(p); continue; }
    if (p.start < from) out.push({ ...p, end: from });
    if (p.end > to) out.push({ ...p, start: to });
  }
  if (on) {
    const touching = pieces.find((p) => p.end === from || p.start === to || (p.start < to && from < p.end));
    out.push({ start: from, end: to, offers: touching ? touching.offers : INDIVIDUAL });
  }
  return merge(out);
}

const localTime = (m) => ({ hour: Math.floor((m % DAY) / 60), minute: m % 60 });

// Pieces back to weekly windows: a run across midnight is one overnight window, a run longer
// than a day is cut into days, and a run across the week's end is joined up again.
export function toWeekly(pieces) {
  const runs = merge(pieces).map((p) => ({ ...p }));
  const first = runs[0]; const last = runs[runs.length - 1];
  if (runs.length > 1 && first.start === 0 && last.end === WEEK && key(first.offers) === key(last.offers)) {
    last.end = WEEK + first.end;
    runs.shift();
  }
  const weekly = [];
  for (const run of runs) {
    for (let s = run.start; s < run.end; s += DAY) {
      const e = Math.min(run.end, s + DAY);
      weekly.push({ weekday: WEEKDAYS[Math.floor(s / DAY) % 7][0], start: localTime(s), end: localTime(e), offers: run.offers });
    }
  }
  return weekly;
}

function covered(pieces, from, to) {
  let sum = 0;
  for (const p of pieces) sum += Math.max(0, Math.min(p.end, to) - Math.max(p.start, from));
  return sum === 0 ? 'off' : sum >= to - from ? 'on' : 'part';
}

// The grid; `onChange(weekly)` after every edit. render(weekly) redraws from windows edited
// elsewhere; showErrors(fields, weekly) marks the cells of the windows the service refused.
export function weekGrid({ weekly, zone, onChange }) {
  let pieces = toPieces(weekly);
  let day = 0;
  const picker = h('div', { class: 'grid-days', role: 'group', 'aria-label': t('Day to show') },
    WEEKDAYS.map(([, name], d) => h('button', { type: 'button', class: 'secondary', 'data-day': d, text: name.slice(0, 3), 'aria-label': name })));
  const table = h('table', { class: 'week-grid', role: 'grid', 'aria-multiselectable': 'true', 'aria-label': t('Your week, in half hours ({0})', [zone]) });
  const head = h('tr', {}, h('td', { class: 'corner' }), WEEKDAYS.map(([, name], d) => h('th', { scope: 'col', 'data-day': d, text: name })));
  const body = h('tbody');
  for (let m = 0; m < DAY; m += STEP) {
    body.append(h('tr', {}, h('th', { scope: 'row', class: m % 60 ? 'half' : '', text: hhmm(localTime(m)) }),
      WEEKDAYS.map(([, name], d) => h('td', {
        role: 'gridcell', tabindex: '-1', 'data-day': d, 'data-minute': m,
        'aria-label': t('{0} {1} to {2}', [name, hhmm(localTime(m)), hhmm(localTime(m + STEP))]),
      }))));
  }
  table.append(h('thead', {}, head), body);
  const scroller = h('div', { class: 'week-scroll' }, table);
  const errors = h('p', { class: 'field-error grid-errors' });
  const el = h('div', { class: 'week' }, picker, scroller, errors);
  const cellAt = (d, m) => table.querySelector(`td[data-day="${d}"][data-minute="${m}"]`);
  let focused = cellAt(0, 9 * 60);

  const show = (d) => {
    day = d;
    table.dataset.show = d;
    for (const b of picker.children) b.setAttribute('aria-pressed', String(Number(b.dataset.day) === d));
  };
  const draw = () => {
    for (const td of body.querySelectorAll('td')) {
      const from = Number(td.dataset.day) * DAY + Number(td.dataset.minute);
      const state = covered(pieces, from, from + STEP);
      td.className = state;
      td.removeAttribute('aria-invalid');
      td.removeAttribute('aria-describedby');
      td.setAttribute('aria-selected', String(state === 'on'));
      td.tabIndex = td === focused ? 0 : -1;
    }
  };
  const focus = (td) => { focused = td; draw(); show(Number(td.dataset.day)); td.focus(); };
  const changed = () => { errors.textContent = ''; draw(); onChange(toWeekly(pieces)); };
  const set = (td, on) => {
    const from = Number(td.dataset.day) * DAY + Number(td.dataset.minute);
    pieces = paint(pieces, from, from + STEP, on);
    changed();
  };
  const toggle = (td) => set(td, td.getAttribute('aria-selected') !== 'true');

  picker.addEventListener('click', (event) => {
    const b = event.target.closest('button');
    if (b) { show(Number(b.dataset.day)); focused = cellAt(day, Number(focused.dataset.minute)); draw(); }
  });
  table.addEventListener('keydown', (event) => {
    const td = event.target.closest('td');
    if (!td) return;
    const d = Number(td.dataset.day); const m = Number(td.dataset.minute);
    const moves = { ArrowUp: [d, m - STEP], ArrowDown: [d, m + STEP], ArrowLeft: [d - 1, m], ArrowRight: [d + 1, m], Home: [d, 0], End: [d, DAY - STEP] };
    if (event.key === ' ' || event.key === 'Enter') { event.preventDefault(); toggle(td); return; }
    const to = moves[event.key];
    if (!to) return;
    event.preventDefault();
    const next = cellAt(Math.max(0, Math.min(6, to[0])), Math.max(0, Math.min(DAY - STEP, to[1])));
    if (next) focus(next);
  });
  // A mouse drag paints the block from the first cell to the pointer with what the first cell
  // was not (a fast pointer skips cells, the block does not); touch and a click toggle one cell.
  let drag = null;
  table.addEventListener('pointerdown', (event) => {
    const td = event.target.closest('td');
    if (!td || event.pointerType !== 'mouse' || event.button !== 0) return;
    drag = { from: td, on: td.getAttribute('aria-selected') !== 'true', moved: false, before: pieces };
  });
  table.addEventListener('pointerover', (event) => {
    const td = event.target.closest('td');
    if (!drag || !td || !(event.buttons & 1) || (td === drag.from && !drag.moved)) return;
    drag.moved = true;
    const days = [Number(drag.from.dataset.day), Number(td.dataset.day)].sort((a, b) => a - b);
    const mins = [Number(drag.from.dataset.minute), Number(td.dataset.minute)].sort((a, b) => a - b);
    pieces = drag.before;
    for (let d = days[0]; d <= days[1]; d++) pieces = paint(pieces, d * DAY + mins[0], d * DAY + mins[1] + STEP, drag.on);
    changed();
  });
  // A drag's click lands on the common ancestor, or nowhere when let go outside the grid.
  document.addEventListener('pointerup', () => { const d = drag; setTimeout(() => { if (drag === d) drag = null; }); });
  table.addEventListener('click', (event) => {
    const dragged = drag && drag.moved;
    drag = null;
    const td = event.target.closest('td');
    if (!td) return;
    if (!dragged) toggle(td);
    focus(td);
  });

  show(0);
  draw();
  // Start the view at six in the morning, or at the first hours earlier than that.
  const earliest = Math.min(6 * 60, ...pieces.map((p) => p.start % DAY));
  requestAnimationFrame(() => { const row = cellAt(0, earliest - (earliest % STEP)); if (row) scroller.scrollTop = row.offsetTop - table.tHead.offsetHeight; });

  return {
    el,
    render(next) { pieces = toPieces(next); errors.textContent = ''; draw(); },
    // The message itself stays on the window's row (said once); the refused half hours are
    // marked and described by it.
    showErrors(fields, windows, describedBy) {
      let marked = false;
      for (const path of Object.keys(fields || {})) {
        const i = /weekly\[(\d+)\]/.exec(path)?.[1];
        const w = i === undefined ? null : windows[Number(i)];
        if (!w) continue;
        const [p] = toPieces([w]);
        for (const td of body.querySelectorAll('td')) {
          const from = Number(td.dataset.day) * DAY + Number(td.dataset.minute);
          if (p && covered([p], from, from + STEP) !== 'off') {
            td.classList.add('invalid');
            td.setAttribute('aria-invalid', 'true');
            td.setAttribute('aria-describedby', describedBy(Number(i)));
            marked = true;
          }
        }
      }
      errors.textContent = marked ? t('Some hours were not saved: the marked half hours, explained on their window below.') : '';
    },
  };
}
