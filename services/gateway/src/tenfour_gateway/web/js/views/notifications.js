// Notifications: alerts on this device (Web Push), an e-mail address confirmed through a link,
// what to hear about on which channel, and quiet hours. Also the page the e-mailed link opens.
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import * as push from '../push.js';
import { browserZone, hhmm, localTime, when } from '../time.js';

const OFFICER = ['officer', 'peer_supporter'];
const PROVIDER = ['therapist', 'peer_supporter'];

// Which categories a role hears about, in the order shown.
const CATEGORIES = [
  ['CATEGORY_REMINDERS', 'Reminders before a session', () => true],
  ['CATEGORY_CHANGES', 'Bookings, cancellations, moves and shift clashes', () => true],
  ['CATEGORY_URGENT', 'Someone needs to talk now', (role) => OFFICER.includes(role) || PROVIDER.includes(role)],
  ['CATEGORY_WAITING_ROOM', 'Someone is in the waiting room', (role) => PROVIDER.includes(role)],
  ['CATEGORY_SEATS', 'A seat frees in a group you follow', (role) => OFFICER.includes(role)],
];
const CHANNELS = [['CHANNEL_WEB_PUSH', 'Alerts on my devices'], ['CHANNEL_EMAIL', 'E-mail']];

function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iPhone or iPad' : /Mac OS/.test(ua) ? 'Mac' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

export async function settings(main, _params, ctx) {
  let current;
  try {
    current = await api.call('notifications', 'GetSettings', {});
  } catch (error) {
    main.append(failure(error, 'Notifications'));
    return;
  }
  main.append(h('p', { text: 'Everything Tenfour sends says only "Tenfour" and a neutral line, unless you choose otherwise below. In the app you always see updates.' }));
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
  clear(box).append(h('h2', { id: 'device-h', text: 'Alerts on this device' }));
  const out = h('div', { 'aria-live': 'polite' });
  const mine = await push.currentSubscription();
  const devices = current.devices || [];
  if (!push.pushSupported()) {
    box.append(notice('unavailable', 'This browser cannot show alerts from Tenfour. Use e-mail, or open Tenfour in another browser.'));
  } else if (typeof Notification !== 'undefined' && Notification.permission === 'denied') {
    box.append(notice('warn', 'Your browser blocks notifications from Tenfour. Allow them in the site settings (the lock or info icon next to the address), then reload this page.'));
  } else if (mine) {
    const off = h('button', { type: 'button', class: 'secondary', text: 'Turn off on this device' });
    off.addEventListener('click', async () => {
      off.disabled = true;
      try {
        const endpoint = await push.unsubscribe();
        if (endpoint) await api.call('notifications', 'RemovePushSubscription', { endpoint });
        setStatus('Alerts are off for this device.', 'ok');
        redraw(await api.call('notifications', 'GetSettings', {}));
      } catch (error) { off.disabled = false; clear(out).append(failure(error, 'Alerts')); }
    });
    box.append(notice('ok', 'Alerts are on for this device.'), h('div', { class: 'actions' }, off));
  } else {
    const on = h('button', { type: 'button', text: 'Turn on alerts on this device' });
    on.addEventListener('click', async () => {
      on.disabled = true;
      clear(out).append(h('p', { class: 'muted', text: 'Asking your browser…' }));
      try {
        const config = await api.call('notifications', 'GetWebPushConfig', {});
        const sub = await push.subscribe(config.vapid_public_key);
        await api.call('notifications', 'RegisterPushSubscription', { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, label: deviceLabel() });
        setStatus('Alerts are on for this device.', 'ok');
        redraw(await api.call('notifications', 'GetSettings', {}));
      } catch (error) {
        on.disabled = false;
        clear(out).append(error instanceof push.PushProblem ? notice('warn', error.message) : failure(error, 'Alerts'));
      }
    });
    box.append(h('p', { text: 'A short, neutral alert on this phone or computer, even when Tenfour is closed.' }), h('div', { class: 'actions' }, on));
  }
  if (devices.length) {
    box.append(h('h3', { text: 'Devices with alerts' }), h('ul', { class: 'list devices' }, devices.map((d) => {
      const remove = h('button', { type: 'button', class: 'secondary', text: 'Remove', 'aria-label': `Remove ${d.label || 'device'}` });
      remove.addEventListener('click', async () => {
        remove.disabled = true;
        try {
          await api.call('notifications', 'RemovePushSubscription', { device_id: d.device_id });
          redraw(await api.call('notifications', 'GetSettings', {}));
        } catch (error) { remove.disabled = false; out.append(failure(error, 'Removing the device')); }
      });
      return h('li', { class: 'device' }, h('strong', { text: d.label || 'A device' }),
        h('span', { class: 'muted', text: ` since ${when(d.created_at)}${d.last_success_at ? `, last alert ${when(d.last_success_at)}` : ''}` }), ' ', remove);
    })));
  }
  box.append(out);
}

// ---------------------------------------------------------------------------- e-mail

function renderEmail(box, current, redraw) {
  clear(box).append(h('h2', { id: 'email-h', text: 'E-mail' }));
  const email = current.email;
  if (email && email.address) {
    box.append(email.confirmed
      ? notice('ok', `${email.address} is confirmed.`)
      : notice('warn', `We sent a link to ${email.address}${email.confirmation_sent_at ? ` at ${when(email.confirmation_sent_at)}` : ''}. Open it to start getting e-mail from Tenfour.`, h('p', { class: 'muted', text: 'Nothing is sent to this address until you open the link. It works for 48 hours.' })));
  }
  const form = h('form', { class: 'email-form', novalidate: true },
    field({ name: 'address', label: email?.address ? 'Use another e-mail address' : 'E-mail address', type: 'email',
      hint: 'Stored encrypted. Your agency never sees it.', attrs: { autocomplete: 'email', inputmode: 'email' } }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Send confirmation link' })));
  onSubmit(form, async () => {
    const address = String(valueOf(form, 'address') || '').trim();
    if (!address) throw { code: 'INVALID_ARGUMENT', message: '', fields: { address: 'Enter an e-mail address.' } };
    const next = await api.call('notifications', 'SetEmailAddress', { address });
    setStatus(`A confirmation link is on its way to ${address}.`, 'ok');
    redraw(next);
  });
  box.append(form);
  if (email && email.address) {
    const stop = h('button', { type: 'button', class: 'secondary', text: 'Stop using e-mail' });
    stop.addEventListener('click', async () => {
      try { redraw(await api.call('notifications', 'SetEmailAddress', { address: '' })); setStatus('E-mail removed.', 'ok'); } catch (error) { box.append(failure(error, 'E-mail')); }
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
    field({ name: `channels.${category}.CHANNEL_IN_APP`, label: 'In the app (always)', type: 'checkbox', value: true, attrs: { disabled: true } }),
    CHANNELS.map(([channel, text]) => field({ name: `channels.${category}.${channel}`, label: text, type: 'checkbox', value: chosen[category]?.has(channel) }))));
  const form = h('form', { class: 'card prefs', novalidate: true },
    h('h2', { id: 'prefs-h', text: 'What to hear about, and how' }),
    ...rows,
    h('fieldset', {}, h('legend', { text: 'Quiet hours' }),
      field({ name: 'preferences.quiet_hours.enabled', label: 'No alerts or e-mail during these hours', type: 'checkbox', value: quiet.enabled }),
      h('div', { class: 'row' },
        field({ name: 'preferences.quiet_hours.start', label: 'From', type: 'time', value: quiet.start ? hhmm(quiet.start) : '22:00' }),
        field({ name: 'preferences.quiet_hours.end', label: 'To', type: 'time', value: quiet.end ? hhmm(quiet.end) : '07:00' })),
      field({ name: 'preferences.quiet_hours.timezone', label: 'Time zone', value: quiet.timezone || browserZone() }),
      h('p', { class: 'hint', text: 'What arrives in quiet hours waits until they end. Urgent alerts while you are on call still come through.' })),
    field({ name: 'preferences.detailed_content', label: 'Show details (such as who the session is with) in alerts and e-mail subjects', type: 'checkbox', value: prefs.detailed_content,
      hint: 'Off: the lock screen and e-mail subjects only ever say "Tenfour". Anyone who sees your screen could read details.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Save choices' })));
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
    setStatus('Your choices are saved.', 'ok');
    redraw(next);
  });
  box.append(form);
}

function testButton() {
  const test = h('button', { type: 'button', class: 'secondary', text: 'Send me a test' });
  const out = h('div', { 'aria-live': 'polite' });
  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      const sent = await api.call('notifications', 'SendTestNotification', {});
      const names = { CHANNEL_IN_APP: 'in the app', CHANNEL_WEB_PUSH: 'as an alert', CHANNEL_EMAIL: 'by e-mail' };
      clear(out).append(notice('ok', `A test is on its way ${(sent.channels || []).map((c) => names[c] || '').filter(Boolean).join(', ') || 'in the app'}.`));
    } catch (error) { clear(out).append(failure(error, 'Test')); } finally { test.disabled = false; }
  });
  return h('div', { class: 'card' }, h('h2', { text: 'Check it works' }), h('div', { class: 'actions' }, test), out);
}

// ---------------------------------------------------------------------------- the e-mailed link

export async function confirmEmail(main, params, ctx) {
  const token = params[0] || '';
  if (!token) {
    main.append(notice('warn', 'This link is incomplete. Copy the whole link from the e-mail, or ask for a new one on the Notifications page.'));
    return;
  }
  // A click, not the page load, confirms: mail scanners that open links must not confirm for you.
  const button = h('button', { type: 'button', text: 'Confirm this address' });
  const out = h('div', { 'aria-live': 'polite' });
  main.append(h('p', { text: 'Confirm that this e-mail address is yours, so Tenfour may send you reminders there.' }), h('div', { class: 'actions' }, button), out);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const done = await api.call('notifications', 'ConfirmEmailAddress', { token });
      button.remove();
      clear(out).append(notice('ok', `Thank you. ${done.address_hint || 'Your address'} is confirmed.`),
        ctx.session.signed_in ? h('p', {}, h('a', { href: '#/notifications', text: 'Choose what to get by e-mail' })) : null);
    } catch (error) {
      button.disabled = false;
      clear(out).append(error.code === 'NOT_FOUND'
        ? notice('warn', 'This link has expired or a newer one was sent. Ask for a new link on the Notifications page.')
        : failure(error, 'Confirming'));
    }
  });
}
