// Tenfour's service worker: served from /sw.js so its scope is the whole site. It only shows
// Web Push messages and opens the app on a click; it caches nothing (every page stays live).
//
// A push payload is JSON {title, body, url, tag, urgent}, written neutral by the notifications
// service. Whatever arrives, the lock screen never shows more than that: no payload, or one that
// does not parse, shows the neutral default below.

const NEUTRAL = { title: 'Tenfour', body: 'You have a new update. Open Tenfour to see it.', url: '/', tag: 'tenfour' };

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function sameOriginPath(url) {
  try {
    const parsed = new URL(url || '/', self.location.origin);
    return parsed.origin === self.location.origin ? parsed.pathname + parsed.search + parsed.hash : '/';
  } catch {
    return '/';
  }
}

function readPayload(data) {
  if (!data) return { ...NEUTRAL };
  let body;
  try { body = data.json(); } catch { return { ...NEUTRAL }; }
  if (!body || typeof body !== 'object') return { ...NEUTRAL };
  const text = (value, fallback, max) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, max) : fallback);
  return {
    title: text(body.title, NEUTRAL.title, 80),
    body: text(body.body, NEUTRAL.body, 200),
    url: sameOriginPath(body.url),
    tag: text(body.tag, NEUTRAL.tag, 64),
    urgent: body.urgent === true,
  };
}

self.addEventListener('push', (event) => {
  const message = readPayload(event.data);
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body,
    tag: message.tag,
    renotify: message.urgent,
    requireInteraction: message.urgent,
    icon: '/static/icon.svg',
    data: { url: message.url },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = sameOriginPath(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) {
      if (new URL(client.url).origin !== self.location.origin) continue;
      await client.focus();
      if ('navigate' in client) {
        try { await client.navigate(path); } catch { /* an uncontrolled tab: focusing is enough */ }
      }
      return;
    }
    await self.clients.openWindow(path);
  })());
});

// The browser replaced the subscription (key rotation, expiry): tell the open app, which sends
// the new one to the server with the user's session.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) client.postMessage({ type: 'push-subscription-changed' });
  })());
});
