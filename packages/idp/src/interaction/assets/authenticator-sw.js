// The authenticator app's service worker: keeps the app's shell so it opens without a network
// (and so the app can be installed), shows a notification for each Web Push message (a request's id
// and application name, never its number), and opens the app on it when tapped. It never touches
// the signed requests, the event stream or answers: those always go to the network.

const CACHE = 'stepup-authenticator-v1';
const SHELL = [
  '/authenticator',
  '/assets/stepup.css',
  '/assets/push.css',
  '/assets/authenticator.js',
  '/assets/push-protocol.js',
  '/assets/authenticator-icon.svg',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== 'GET' ||
    url.origin !== self.location.origin ||
    !SHELL.includes(url.pathname)
  ) {
    return;
  }
  // Network first: always the current app when online, the kept one when not.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        if (response.ok) caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        return response;
      })
      .catch(() => caches.match(url.pathname).then((cached) => cached || Response.error())),
  );
});

// Web Push (when the provider has it on): a request arrived while the app may be closed. The message
// only says which request and for which application; the app reads the request itself, signed.
self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = {};
  }
  const challengeId = typeof message.challengeId === 'string' ? message.challengeId : '';
  const clientName = typeof message.clientName === 'string' ? message.clientName : 'an application';
  // A transaction-bound request says what approving does; the app shows it again before the numbers.
  const summary = typeof message.summary === 'string' ? `Approve: ${message.summary}. ` : '';
  event.waitUntil(
    self.registration.showNotification(`Sign-in request from ${clientName}`, {
      body: `${summary}Open the authenticator and pick the number shown on the sign-in page.`,
      tag: challengeId || 'stepup-request',
      icon: '/assets/authenticator-icon.svg',
      data: { challengeId },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const challengeId = event.notification.data?.challengeId;
  const url = challengeId ? `/authenticator#request=${encodeURIComponent(challengeId)}` : '/authenticator';
  event.waitUntil(
    self.clients
      .matchAll({ type: 'window' })
      .then((windows) => (windows[0] ? windows[0].focus() : self.clients.openWindow(url))),
  );
});
