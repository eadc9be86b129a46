// The service worker (/sw.js) and this device's Web Push subscription.
//
// register() is a Trusted Types sink: the page's CSP allows exactly one policy, named
// "tenfour-sw", and it yields nothing but the service worker's own address.
import { t } from './i18n.js';

const SW_URL = '/sw.js';
let policy = null;
let pending = null;

function scriptUrl() {
  if (!window.trustedTypes) return SW_URL;
  if (!policy) policy = window.trustedTypes.createPolicy('tenfour-sw', { createScriptURL: (url) => (url === SW_URL ? url : '') });
  return policy.createScriptURL(SW_URL);
}

export function supported() {
  return 'serviceWorker' in navigator && 'Notification' in window;
}

export function pushSupported() {
  return supported() && 'PushManager' in window;
}

// The active registration (registering once per page), or null where there are no service workers.
export function registration() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  if (!pending) {
    pending = navigator.serviceWorker.register(scriptUrl(), { scope: '/' })
      .then(() => navigator.serviceWorker.ready)
      .catch(() => { pending = null; return null; });
  }
  return pending;
}

function keyBytes(base64url) {
  const text = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(text + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export async function currentSubscription() {
  const reg = await registration();
  if (!reg || !reg.pushManager) return null;
  try { return await reg.pushManager.getSubscription(); } catch { return null; }
}

export class PushProblem extends Error {}

const SUBSCRIBE_TIMEOUT_MS = 20000;

// Asks for permission (only ever after a click), then subscribes with the server's VAPID key.
// Returns {endpoint, keys: {p256dh, auth}}.
export async function subscribe(vapidPublicKey) {
  if (!pushSupported()) throw new PushProblem(t('This browser cannot show alerts from Tenfour. Email still works.'));
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new PushProblem(t('Your browser is set to block notifications from Tenfour. Allow them in the site settings (the lock or info icon next to the address), then try again.'));
  }
  const reg = await registration();
  if (!reg) throw new PushProblem(t('This browser could not start the part of Tenfour that shows alerts. Reload the page and try again.'));
  const old = await reg.pushManager.getSubscription();
  const key = keyBytes(vapidPublicKey);
  if (old) {
    // A subscription made with another server key cannot be reused.
    const same = old.options?.applicationServerKey && new Uint8Array(old.options.applicationServerKey).every((b, i) => b === key[i]);
    if (same) return old.toJSON();
    await old.unsubscribe();
  }
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new PushProblem(t('Your browser\'s push service did not answer. Check the connection and try again.'))), SUBSCRIBE_TIMEOUT_MS); });
  try {
    const made = await Promise.race([reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), timeout]);
    return made.toJSON();
  } catch (error) {
    if (error instanceof PushProblem) throw error;
    throw new PushProblem(t('This browser could not turn on alerts (private windows cannot). Try a normal window, or use email.'));
  } finally {
    clearTimeout(timer);
  }
}

export async function unsubscribe() {
  const sub = await currentSubscription();
  if (!sub) return null;
  const endpoint = sub.endpoint;
  try { await sub.unsubscribe(); } catch { /* gone already */ }
  return endpoint;
}
