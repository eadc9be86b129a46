// Formatting and parsing for the protobuf JSON shapes (Timestamp, Duration, LocalTime, LocalDate).
import { t, language } from './i18n.js';

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export function when(iso, zone) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(language, {
    weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: zone || undefined,
  }).format(new Date(iso));
}

export function timeOnly(iso, zone) {
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', timeZone: zone || undefined }).format(new Date(iso));
}

export function range(time, zone) {
  if (!time || !time.start) return '';
  const sameDay = new Date(time.start).toDateString() === new Date(time.end).toDateString();
  return `${when(time.start, zone)} – ${sameDay ? timeOnly(time.end, zone) : when(time.end, zone)}`;
}

export const seconds = (duration) => (duration ? parseFloat(String(duration).replace(/s$/, '')) : 0);
export const duration = (secs) => `${Number(Number(secs).toFixed(3))}s`;
export const minutes = (d) => Math.round(seconds(d) / 60);

export function hhmm(t) {
  const hour = t?.hour || 0; const minute = t?.minute || 0;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

export function localTime(text) {
  const [hour, minute] = String(text || '0:0').split(':').map(Number);
  return { hour: hour || 0, minute: minute || 0 };
}

export function localDate(text) {
  const [year, month, day] = String(text).split('-').map(Number);
  return { year, month, day };
}

export function dateText(d) {
  if (!d || !d.year) return '';
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

// A chosen day (LocalDate) or wall-clock time (LocalTime) said back in the page's language, as
// Intl writes it ("12 jul 2026", "Jul 12, 2026"; "18:30", "06:30 PM"). Wall values belong to no
// zone: they are formatted as UTC so no offset moves them.
export function dayWords(d) {
  if (!d || !d.year) return '';
  return new Intl.DateTimeFormat(language, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(d.year, d.month - 1, d.day)));
}

export function clock(t) {
  return new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })
    .format(new Date(Date.UTC(2026, 0, 1, t?.hour || 0, t?.minute || 0)));
}

export function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

export function addDays(date, n) {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate() + n);
  return d;
}

export function nowPlus(days) {
  return new Date(Date.now() + days * 86400000).toISOString();
}

export const WEEKDAYS = [
  ['WEEKDAY_MONDAY', t('Monday')], ['WEEKDAY_TUESDAY', t('Tuesday')], ['WEEKDAY_WEDNESDAY', t('Wednesday')],
  ['WEEKDAY_THURSDAY', t('Thursday')], ['WEEKDAY_FRIDAY', t('Friday')], ['WEEKDAY_SATURDAY', t('Saturday')], ['WEEKDAY_SUNDAY', t('Sunday')],
];
