// Messages in the reader's language. The English text is the key (gettext style):
// t('Find a time') looks it up in /static/i18n/<language>.json, t('{0} seats', [n]) fills
// placeholders. Top-level await: every module that imports t() runs after the catalog is in,
// so module-level constants may call it. Changing the language reloads the page.
export const LANGUAGES = { en: 'English', es: 'Español' };
const STORE = 'tenfour.language';

function chosen() {
  let saved = null;
  try { saved = localStorage.getItem(STORE); } catch { /* storage blocked: follow the browser */ }
  if (saved && saved in LANGUAGES) return saved;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (base in LANGUAGES) return base;
  }
  return 'en';
}

export const language = chosen();
let messages = {};
try {
  const response = await fetch(`/static/i18n/${language}.json`, { credentials: 'same-origin' });
  if (response.ok) messages = await response.json();
} catch { /* offline: the English keys still read well */ }
document.documentElement.lang = language;

export function t(key, args) {
  const text = typeof messages[key] === 'string' && messages[key] ? messages[key] : key;
  if (args === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (args[name] === undefined || args[name] === null ? whole : String(args[name])));
}

export function setLanguage(code) {
  if (!(code in LANGUAGES) || code === language) return;
  try { localStorage.setItem(STORE, code); } catch { /* kept for this page only */ }
  location.reload();
}
