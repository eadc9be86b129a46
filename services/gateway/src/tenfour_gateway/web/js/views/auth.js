// Sign in (with TOTP and first-time TOTP set-up), joining with an agency code, the account page.
import { t, language } from '../i18n.js';
import { h, field, onSubmit, valueOf, notice, failure, clear, setStatus } from '../dom.js';
import * as api from '../api.js';
import * as push from '../push.js';
import { US_JURISDICTIONS } from '../us_jurisdictions.js';

export async function signIn(main, _params, ctx) {
  const form = h('form', { class: 'card', novalidate: true },
    field({ name: 'username', label: t('Username or e-mail'), attrs: { autocomplete: 'username', autocapitalize: 'none' }, required: true }),
    field({ name: 'password', label: t('Password'), type: 'password', attrs: { autocomplete: 'current-password' }, required: true }),
    h('div', { class: 'totp', hidden: true },
      field({ name: 'totp_code', label: t('Code from your authenticator app'), attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 8 } })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Sign in') })));
  const setup = h('div');
  main.append(form, setup, h('p', {}, t('New here? '), h('a', { href: '#/enrol', text: t('Join with your agency code') }), '.'));
  onSubmit(form, async () => {
    let result;
    try {
      result = await api.auth('login', {
        username: valueOf(form, 'username'), password: valueOf(form, 'password'), totp_code: valueOf(form, 'totp_code') || '',
      });
    } catch (error) {
      throw signInProblem(error);
    }
    if (result.mfa_required) {
      form.querySelector('.totp').hidden = false;
      const input = form.querySelector('[data-field="totp_code"]');
      input.focus();
      setStatus(t('Enter the 6-digit code from your authenticator app.'), '');
      return;
    }
    if (result.mfa_setup_required) {
      form.remove();
      await mfaSetup(setup, result.mfa_setup_ticket, ctx);
      return;
    }
    await ctx.reloadSession();
    ctx.navigate('');
  });
}

// Throttled or locked sign-ins, in plain words with when to try again (never a status code).
function signInProblem(error) {
  if (error?.code === 'RESOURCE_EXHAUSTED' && error.retryAfter) {
    const at = new Date(Date.now() + error.retryAfter * 1000);
    const clock = at.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    const wait = error.retryAfter < 90 ? t('{0} seconds', [error.retryAfter]) : t('{0} minutes', [Math.ceil(error.retryAfter / 60)]);
    return {
      code: error.code, fields: {},
      message: t('Too many sign-in attempts. To protect the account, please wait {0} and try again at {1}. Trying again before then makes the wait longer.', [wait, clock]),
    };
  }
  if (error?.code === 'FAILED_PRECONDITION' && /locked/.test(error.message || '')) {
    return {
      code: error.code, fields: {},
      message: t('This account is locked after too many failed sign-ins. Sign in with the code from your authenticator app, or ask your agency administrator to unlock it.'),
    };
  }
  return error;
}

async function mfaSetup(box, ticket, ctx) {
  clear(box);
  let secret;
  try {
    secret = await api.call('identity', 'BeginMfaSetup', { mfa_setup_ticket: ticket });
  } catch (error) {
    box.append(failure(error, t('Two-step sign-in set-up')));
    return;
  }
  const form = h('form', { class: 'card', novalidate: true },
    h('h2', { text: t('Set up two-step sign-in') }),
    h('p', { text: t('Your role needs a second step when you sign in. Add this key to an authenticator app (for example on your phone), then enter the code it shows.') }),
    h('p', {}, t('Key: '), h('code', { class: 'copy', 'data-mfa-secret': '', text: secret.secret })),
    h('p', {}, h('a', { href: secret.provisioning_uri, text: t('Open in an authenticator app on this device') })),
    field({ name: 'totp_code', label: t('Code from your authenticator app'), attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 8 }, required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Finish and sign in') })));
  box.append(form);
  onSubmit(form, async () => {
    await api.auth('mfa-setup', { mfa_setup_ticket: ticket, totp_code: valueOf(form, 'totp_code') });
    await ctx.reloadSession();
    ctx.navigate('');
  });
}

export async function enrol(main, _params, ctx) {
  const form = h('form', { class: 'card', novalidate: true },
    h('p', { text: t('Your agency gave you a code. You do not need to give your name or e-mail: pick a username and a display name only your provider will see.') }),
    field({ name: 'code', label: t('Agency code'), attrs: { autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' }, required: true }),
    field({ name: 'username', label: t('Username'), hint: t('Not your real name. You sign in with it.'), attrs: { autocomplete: 'username', autocapitalize: 'none' }, required: true }),
    field({ name: 'display_name', label: t('Display name'), hint: t('A first name or nickname your provider will see.'), attrs: { autocomplete: 'nickname' }, required: true }),
    field({ name: 'password', label: t('Password'), type: 'password', hint: t('At least 12 characters. A few unrelated words work well.'), attrs: { autocomplete: 'new-password' }, required: true }),
    field({ name: 'confirm', label: t('Password again'), type: 'password', attrs: { autocomplete: 'new-password' }, required: true }),
    field({ name: 'jurisdiction', label: t('Where you live (optional)'), type: 'select', value: '',
      options: [['', t('Not now')], ...US_JURISDICTIONS], hint: t('Clinicians are offered to you only with a licence valid there. You can change it in your preferences.') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', text: t('Join') })));
  main.append(form);
  onSubmit(form, async () => {
    if (valueOf(form, 'password') !== valueOf(form, 'confirm')) {
      throw new api.ApiError(400, { code: 'INVALID_ARGUMENT', message: t('Check the form.'), fields: { confirm: t('The two passwords are not the same.') } });
    }
    await api.auth('enrol', {
      code: valueOf(form, 'code').trim(), username: valueOf(form, 'username').trim(),
      display_name: valueOf(form, 'display_name').trim(), password: valueOf(form, 'password'),
      jurisdiction: valueOf(form, 'jurisdiction') || '',
    });
    await ctx.reloadSession();
    ctx.flash(t('Welcome. Next: enter your shift rotation so we only offer times that fit.'));
    ctx.navigate('rotation');
  });
}

export async function account(main, _params, ctx) {
  const box = h('div', { class: 'card' });
  main.append(box);
  try {
    const me = await api.call('identity', 'GetMe', {});
    box.append(h('p', {}, t('Signed in as '), h('strong', { text: me.display_name || me.username }), ` (${(me.role || '').replace('ROLE_', '').toLowerCase().replace('_', ' ')}).`),
      h('p', { class: 'muted', text: me.mfa_enabled ? t('Two-step sign-in is on.') : t('Two-step sign-in is off.') }));
    main.append(h('div', { class: 'card' }, h('h2', { text: t('Reminders and alerts') }),
      h('p', {}, t('Choose how Tenfour reaches you (alerts on this device, e-mail, quiet hours) on the '), h('a', { href: '#/notifications', text: t('Notifications page') }), '.')));
  } catch (error) {
    box.append(failure(error, t('Your account')));
  }
  const out = h('button', { type: 'button', class: 'secondary', text: t('Sign out') });
  out.addEventListener('click', async () => {
    // This device stops getting alerts for this account (shared phones, patrol car laptops).
    try {
      const endpoint = await push.unsubscribe();
      if (endpoint) await api.call('notifications', 'RemovePushSubscription', { endpoint });
    } catch { /* the push service removes a dead subscription by itself */ }
    try { await api.auth('logout', {}); } catch { /* signed out locally anyway */ }
    await ctx.reloadSession();
    ctx.navigate('');
  });
  main.append(h('div', { class: 'actions' }, out));
}
