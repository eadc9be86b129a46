// Notifications: alerts on this device (Web Push), an e-mail address confirmed through a link,
// what to hear about on which channel, and quiet hours. Also the page the e-mailed link opens.
import { t } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus, say } from '../dom.js';
import * as api from '../api.js';
import * as push from '../push.js';
import { browserZone, hhmm, localTime, when } from '../time.js';

const OFFICER = ['officer', 'peer_supporter'];
const PROVIDER = ['therapist', 'peer_supporter'];

// Which categories a role hears about, in the order shown.
const CATEGORIES = [
  ['CATEGORY_REMINDERS', t('Reminders before a session'), () => true],
  ['CATEGORY_CHANGES', t('Bookings, cancellations, moves and shift clashes'), () => true],
  ['CATEGORY_URGENT', t('Someone needs to talk now'), (role) => OFFICER.includes(role) || PROVIDER.includes(role)],
  ['CATEGORY_WAITING_ROOM', t('Someone is in the waiting room'), (role) => PROVIDER.includes(role)],
  ['CATEGORY_SEATS', t('A seat frees in a group you follow'), (role) => OFFICER.includes(role)],
];
const CHANNELS = [['CHANNEL_WEB_PUSH', t('Alerts on my devices')], ['CHANNEL_EMAIL', t('E-mail')]];

function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? t('Edge') : /Firefox\//.test(ua) ? t('Firefox') : /Chrom(e|ium)\//.test(ua) ? t('Chrome') : /Safari\//.test(ua) ? t('Safari') : t('Browser');
  const system = /Android/.test(ua) ? t('Android') : /iPhone|iPad/.test(ua) ? t('iPhone or iPad') : /Mac OS/.test(ua) ? t('Mac') : /Windows/.test(ua) ? t('Windows') : /Linux/.test(ua) ? t('Linux') : '';
  return system ? t('{0} on {1}', [browser, system]) : browser;
}

export async function settings(main, _params, ctx) {
  let current;
  try {
    current = await api.call('notifications', 'GetSettings', {});
  } catch (error) {
    main.append(failure(error, t('Notifications')));
    return;
  }
  main.append(h('p', { text: t('Everything Tenfour sends says only "Tenfour" and a neutral line, unless you choose otherwise below. In the app you always see updates.') }));
  const deviceBox = h('section', { class: 'card', 'aria-labelledby': 'device-h' });
  const emailBox = h('section', { class: 'card', 'aria-labelledby': 'email-h' });
  const prefsBox = h('section', { 'aria-labelledby': 'prefs-h' });
  main.append(deviceBox, emailBox, prefsBox);
  const redraw = (next) => {
    current = next;
    renderDevice(deviceBox, current, redraw);
    renderEmail(emailBox, current, redraw);
  };
  redraw(current);
  renderPreferences(prefsBox, current, ctx.session.role, redraw);
  main.append(testButton());
}

// ---------------------------------------------------------------------------- this device

async function renderDevice(box, current, redraw) {
  clear(box).append(h('h2', { id: 'device-h', text: t('Alerts on this device') }));
  const out = h('div', { 'aria-live': 'polite' });
  const mine = await push.currentSubscription();
  const devices = current.devices || [];
  if (!push.pushSupported()) {
    box.append(notice('unavailable', t('This browser cannot show alerts from Tenfour. Use e-mail, or open Tenfour in another browser.')));
  } else if (typeof Notification !== 'undefined' && Notification.permission === 'denied') {
    box.append(notice('warn', t('Your browser blocks notifications from Tenfour. Allow them in the site settings (the lock or info icon next to the address), then reload this page.')));
  } else if (mine) {
    const off = h('button', { type: 'button', class: 'secondary', text: t('Turn off on this device') });
    off.addEventListener('click', async () => {
      off.disabled = true;
      try {
        const endpoint = await push.unsubscribe();
        if (endpoint) await api.call('notifications', 'RemovePushSubscription', { endpoint });
        setStatus(t('Alerts are off for this device.'), 'ok');
        redraw(await api.call('notifications', 'GetSettings', {}));
      } catch (error) { off.disabled = false; clear(out).append(failure(error, t('Alerts'))); }
    });
    box.append(notice('ok', t('Alerts are on for this device.')), h('div', { class: 'actions' }, off));
  } else {
    const on = h('button', { type: 'button', text: t('Turn on alerts on this device') });
    on.addEventListener('click', async () => {
      on.disabled = true;
      clear(out).append(h('p', { class: 'muted', text: t('Asking your browser…') }));
      try {
        const config = await api.call('notifications', 'GetWebPushConfig', {});
        const sub = await push.subscribe(config.vapid_public_key);
        await api.call('notifications', 'RegisterPushSubscription', { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, label: deviceLabel() });
        setStatus(t('Alerts are on for this device.'), 'ok');
        redraw(await api.call('notifications', 'GetSettings', {}));
      } catch (error) {
        on.disabled = false;
        clear(out).append(error instanceof push.PushProblem ? notice('warn', error.message) : failure(error, t('Alerts')));
      }
    });
    box.append(h('p', { text: t('A short, neutral alert on this phone or computer, even when Tenfour is closed.') }), h('div', { class: 'actions' }, on));
  }
  if (devices.length) {
    box.append(h('h3', { text: t('Devices with alerts') }), h('ul', { class: 'list devices' }, devices.map((d) => {
      const remove = h('button', { type: 'button', class: 'secondary', text: t('Remove'), 'aria-label': t('Remove {0}', [d.label || t('device')]) });
      remove.addEventListener('click', async () => {
        remove.disabled = true;
        try {
          await api.call('notifications', 'RemovePushSubscription', { device_id: d.device_id });
          redraw(await api.call('notifications', 'GetSettings', {}));
        } catch (error) { remove.disabled = false; say(out, failure(error, t('Removing the device'))); }
      });
      return h('li', { class: 'device' }, h('strong', { text: d.label || t('A device') }),
        h('span', { class: 'muted', text: d.last_success_at ? t(' since {0}, last alert {1}', [when(d.created_at), when(d.last_success_at)]) : t(' since {0}', [when(d.created_at)]) }), ' ', remove);
    })));
  }
  box.append(out);
}

// ---------------------------------------------------------------------------- e-mail

function renderEmail(box, current, redraw) {
  clear(box).append(h('h2', { id: 'email-h', text: t('E-mail') }));
  const email = current.email;
  if (email && email.address) {
    box.append(email.confirmed
      ? notice('ok', t('{0} is confirmed.', [email.address]))
      : notice('warn', email.confirmation_sent_at ? t('We sent a link to {0} at {1}. Open it to start getting e-mail from Tenfour.', [email.address, when(email.confirmation_sent_at)]) : t('We sent a link to {0}. Open it to start getting e-mail from Tenfour.', [email.address]), h('p', { class: 'muted', text: t('Nothing is sent to this address until you open the link. It works for 48 hours.') })));
  }
  const form = h('form', { class: 'email-form', novalidate: true },
    field({ name: 'address', label: email?.address ? t('Use another e-mail address') : t('E-mail address'), type: 'email',
      hint: t('Stored encrypted. Your agency never sees it.'), attrs: { autocomplete: 'email', inputmode: 'email' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Send confirmation link') })));
  onSubmit(form, async () => {
    const address = String(valueOf(form, 'address') || '').trim();
    if (!address) throw { code: 'INVALID_ARGUMENT', message: '', fields: { address: t('Enter an e-mail address.') } };
    const next = await api.call('notifications', 'SetEmailAddress', { address });
    setStatus(t('A confirmation link is on its way to {0}.', [address]), 'ok');
    redraw(next);
  });
  box.append(form);
  if (email && email.address) {
    const stop = h('button', { type: 'button', class: 'secondary', text: t('Stop using e-mail') });
    stop.addEventListener('click', async () => {
      try { redraw(await api.call('notifications', 'SetEmailAddress', { address: '' })); setStatus(t('E-mail removed.'), 'ok'); } catch (error) { say(box, failure(error, t('E-mail'))); }
    });
    box.append(h('div', { class: 'actions' }, stop));
  }
}

// ---------------------------------------------------------------------------- what, how, when

function renderPreferences(box, current, role, redraw) {
  const prefs = current.preferences || {};
  const chosen = Object.fromEntries((prefs.channels || []).map((c) => [c.category, new Set(c.channels || [])]));
  const shown = CATEGORIES.filter(([, , relevant]) => relevant(role));
  const quiet = prefs.quiet_hours || {};
  const rows = shown.map(([category, label]) => h('fieldset', { class: 'category', dataset: { category } },
    h('legend', { text: label }),
    field({ name: `channels.${category}.CHANNEL_IN_APP`, label: t('In the app (always)'), type: 'checkbox', value: true, attrs: { disabled: true } }),
    CHANNELS.map(([channel, text]) => field({ name: `channels.${category}.${channel}`, label: text, type: 'checkbox', value: chosen[category]?.has(channel) }))));
  const form = h('form', { class: 'card prefs', novalidate: true },
    h('h2', { id: 'prefs-h', text: t('What to hear about, and how') }),
    ...rows,
    h('fieldset', {}, h('legend', { text: t('Quiet hours') }),
      field({ name: 'preferences.quiet_hours.enabled', label: t('No alerts or e-mail during these hours'), type: 'checkbox', value: quiet.enabled }),
      h('div', { class: 'row' },
        field({ name: 'preferences.quiet_hours.start', label: t('From'), type: 'time', value: quiet.start ? hhmm(quiet.start) : '22:00' }),
        field({ name: 'preferences.quiet_hours.end', label: t('To'), type: 'time', value: quiet.end ? hhmm(quiet.end) : '07:00' })),
      field({ name: 'preferences.quiet_hours.timezone', label: t('Time zone'), value: quiet.timezone || browserZone() }),
      h('p', { class: 'hint', text: t('What arrives in quiet hours waits until they end. Urgent alerts while you are on call still come through.') })),
    field({ name: 'preferences.detailed_content', label: t('Show details (such as who the session is with) in alerts and e-mail subjects'), type: 'checkbox', value: prefs.detailed_content,
      hint: t('Off: the lock screen and e-mail subjects only ever say "Tenfour". Anyone who sees your screen could read details.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Save choices') })));
  onSubmit(form, async () => {
    const channels = shown.map(([category]) => ({
      category, channels: ['CHANNEL_IN_APP', ...CHANNELS.map(([c]) => c).filter((c) => valueOf(form, `channels.${category}.${c}`))],
    }));
    const enabled = Boolean(valueOf(form, 'preferences.quiet_hours.enabled'));
    const next = await api.call('notifications', 'SetPreferences', { preferences: {
      channels,
      quiet_hours: { enabled, start: localTime(valueOf(form, 'preferences.quiet_hours.start')), end: localTime(valueOf(form, 'preferences.quiet_hours.end')),
        timezone: String(valueOf(form, 'preferences.quiet_hours.timezone') || '').trim() },
      detailed_content: Boolean(valueOf(form, 'preferences.detailed_content')),
    } });
    setStatus(t('Your choices are saved.'), 'ok');
    redraw(next);
  });
  box.append(form);
}

function testButton() {
  const test = h('button', { type: 'button', class: 'secondary', text: t('Send me a test') });
  const out = h('div', { 'aria-live': 'polite' });
  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      const sent = await api.call('notifications', 'SendTestNotification', {});
      const names = { CHANNEL_IN_APP: t('in the app'), CHANNEL_WEB_PUSH: t('as an alert'), CHANNEL_EMAIL: t('by e-mail') };
      clear(out).append(notice('ok', t('A test is on its way {0}.', [(sent.channels || []).map((c) => names[c] || '').filter(Boolean).join(', ') || t('in the app')])));
    } catch (error) { clear(out).append(failure(error, t('Test'))); } finally { test.disabled = false; }
  });
  return h('div', { class: 'card' }, h('h2', { text: t('Check it works') }), h('div', { class: 'actions' }, test), out);
}

// ---------------------------------------------------------------------------- the e-mailed link

export async function confirmEmail(main, params, ctx) {
  const token = params[0] || '';
  if (!token) {
    main.append(notice('warn', t('This link is incomplete. Copy the whole link from the e-mail, or ask for a new one on the Notifications page.')));
    return;
  }
  // A click, not the page load, confirms: mail scanners that open links must not confirm for you.
  const button = h('button', { type: 'button', text: t('Confirm this address') });
  const out = h('div', { 'aria-live': 'polite' });
  main.append(h('p', { text: t('Confirm that this e-mail address is yours, so Tenfour may send you reminders there.') }), h('div', { class: 'actions' }, button), out);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const done = await api.call('notifications', 'ConfirmEmailAddress', { token });
      button.remove();
      clear(out).append(notice('ok', t('Thank you. {0} is confirmed.', [done.address_hint || t('Your address')])),
        ctx.session.signed_in ? h('p', {}, h('a', { href: '#/notifications', text: t('Choose what to get by e-mail') })) : null);
    } catch (error) {
      button.disabled = false;
      clear(out).append(error.code === 'NOT_FOUND'
        ? notice('warn', t('This link has expired or a newer one was sent. Ask for a new link on the Notifications page.'))
        : failure(error, t('Confirming')));
    }
  });
}
