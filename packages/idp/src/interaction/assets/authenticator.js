// The Stepup authenticator app. Each enrolled account is a device key (ECDSA P-256, created here,
// not extractable) kept in IndexedDB. The app opens a signed event stream per account, shows each
// sign-in request (application, time, IP) with three numbers, and signs the person's answer.
import {
  base64url,
  ENROLLMENT_FRAGMENT,
  enrollmentMessage,
  exportPublicJwk,
  generateDeviceKey,
  PUSH_DEVICE_PATHS,
  pushResponseMessage,
  pushResponsePath,
  signedDeviceUrl,
  signMessage,
  transactionDigest,
  webPushSubscriptionMessage,
} from './push-protocol.js';

const DATABASE = 'stepup-authenticator';
const DEVICES = 'devices';
const MAX_RECONNECT_MS = 30_000;

const $ = (id) => document.getElementById(id);
const nowSeconds = () => Math.floor(Date.now() / 1000);

// --- Storage: one record per enrolled account: { id, origin, name, account, privateKey, createdAt }.

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(DEVICES, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withDevices(mode, work) {
  const db = await openDatabase();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(DEVICES, mode);
    const request = work(transaction.objectStore(DEVICES));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
  });
}

const listDevices = () => withDevices('readonly', (store) => store.getAll());
const saveDevice = (device) => withDevices('readwrite', (store) => store.put(device));
const forgetDevice = (id) => withDevices('readwrite', (store) => store.delete(id));

// --- Status line and small helpers.

function showStatus(text) {
  $('app-status-text').textContent = text;
  $('app-status').hidden = !text;
}

function fill(fragment, field, text) {
  const element = fragment.querySelector(`[data-field="${field}"]`);
  element.textContent = text;
  return element;
}

async function errorCode(response) {
  try {
    return (await response.json()).error;
  } catch {
    return undefined;
  }
}

// --- Enrollment: the token arrives in the link's fragment, which no server ever sees.

function readEnrollmentToken() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  return params.get(ENROLLMENT_FRAGMENT);
}

async function enroll(token, name) {
  const keys = await generateDeviceKey(false);
  const publicKey = await exportPublicJwk(keys.publicKey);
  const signature = await signMessage(keys.privateKey, enrollmentMessage({ token, name }));
  const response = await fetch(PUSH_DEVICE_PATHS.devices, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, name, publicKey, signature }),
  });
  if (!response.ok) {
    const code = await errorCode(response);
    throw new Error(
      code === 'invalid_enrollment_token'
        ? 'This link was already used, or it expired. Start again from the sign-in page for a new QR code.'
        : 'This device could not be added. Try again from the sign-in page.',
    );
  }
  const body = await response.json();
  const device = {
    id: body.device.id,
    origin: window.location.origin,
    name: body.device.name,
    account: body.account ?? '',
    privateKey: keys.privateKey,
    createdAt: Date.now(),
  };
  await saveDevice(device);
  return { device, signInWaiting: body.sign_in_waiting === true };
}

function setUpEnrollment() {
  const token = readEnrollmentToken();
  if (!token) return;
  $('enroll').hidden = false;
  $('enroll-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = event.submitter ?? $('enroll-form').querySelector('button');
    button.disabled = true;
    try {
      const { device, signInWaiting } = await enroll(token, $('device-name').value.trim() || 'My phone');
      // The token is spent: take it out of the address bar and the history.
      history.replaceState(null, '', window.location.pathname);
      $('enroll').hidden = true;
      // Only a sign-in page sends a request once the device is added; /account and operators' links do not.
      requestAnnounced = signInWaiting;
      showStatus(
        signInWaiting
          ? 'This device is added. Go back to the sign-in page: a request is on its way.'
          : `This device is added. Sign-in requests for ${device.account || device.name} will show up here.`,
      );
      await renderDevices();
      connect(device);
      subscribeToWebPush().catch(() => {});
    } catch (error) {
      showStatus(error.message);
      button.disabled = false;
    }
  });
}

// --- Requests.

const requests = new Map();
/** Whether the status line says a request is on its way (until it comes). */
let requestAnnounced = false;

function updateEmptyState() {
  $('requests-empty').hidden = requests.size > 0;
}

function finishRequest(id, text, delayMs = 4000) {
  const entry = requests.get(id);
  if (!entry || entry.finished) return;
  entry.finished = true;
  clearTimeout(entry.expiry);
  for (const button of entry.element.querySelectorAll('button')) button.disabled = true;
  entry.result.textContent = text;
  setTimeout(() => {
    entry.element.remove();
    requests.delete(id);
    updateEmptyState();
  }, delayMs);
}

async function answer(device, challenge, decision, number) {
  const entry = requests.get(challenge.id);
  // The stream may announce the resolution before this POST's answer arrives: this device's own
  // answer, which the response below reports.
  entry.answering = true;
  for (const button of entry.element.querySelectorAll('button')) button.disabled = true;
  // A transaction-bound request: signed over the digest of the details this page displayed.
  const digest = challenge.transaction ? await transactionDigest(challenge.transaction.details) : undefined;
  const signature = await signMessage(
    device.privateKey,
    pushResponseMessage({
      challengeId: challenge.id,
      decision,
      number,
      nonce: challenge.nonce,
      ...(digest === undefined ? {} : { transactionDigest: digest }),
    }),
  );
  const response = await fetch(pushResponsePath(challenge.id), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      device: device.id,
      decision,
      number,
      nonce: challenge.nonce,
      ...(digest === undefined ? {} : { transaction_digest: digest }),
      signature,
    }),
  });
  if (response.ok) {
    entry.answered = true;
    finishRequest(
      challenge.id,
      decision === 'approve'
        ? 'Approved. The sign-in page continues by itself.'
        : 'Denied. Nobody can sign in with this request. If it was not you, change your password.',
    );
    return;
  }
  // Still answering while the refusal's body is read: the stream's resolution of this very request
  // (a wrong number denies it) must not replace the reason with a bare "Denied.".
  const code = await errorCode(response);
  // One pick per request: a wrong number refuses it, so a blind tap approves 1 time in 3, never 2.
  const reasons = {
    wrong_number:
      'Refused: the number you picked is not the one on the sign-in page, so nobody can sign in with this request. To try again, send a new request from the sign-in page.',
    challenge_expired: 'This request has expired.',
    challenge_resolved: 'This request was already answered.',
    login_ended: 'This sign-in is over: it was finished another way or cancelled. Nothing to answer.',
    unknown_device: 'This device was removed from your account.',
  };
  finishRequest(
    challenge.id,
    reasons[code] ?? 'The answer could not be sent. Try again from the sign-in page.',
    code === 'wrong_number' ? 10_000 : undefined,
  );
}

function showRequest(device, challenge) {
  if (requests.has(challenge.id)) return;
  // The request the status line announced is here: the line has said what it had to.
  if (requestAnnounced) {
    requestAnnounced = false;
    showStatus('');
  }
  const fragment = $('request-template').content.cloneNode(true);
  const element = fragment.querySelector('li');
  fill(fragment, 'client', challenge.clientName);
  fill(fragment, 'account', device.account || device.name);
  fill(fragment, 'time', new Date(challenge.createdAt * 1000).toLocaleTimeString());
  fill(fragment, 'ip', challenge.ip);
  if (challenge.transaction) {
    // A transaction-bound request: what approving does, shown before the numbers and signed over.
    fill(fragment, 'transaction', `Approve: ${challenge.transaction.summary}`).hidden = false;
  }
  const result = fill(fragment, 'result', '');
  const group = fragment.querySelector('[data-field="choices"]');
  group.setAttribute('aria-label', 'Numbers to pick from');
  for (const number of challenge.choices) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button push-choice';
    button.textContent = String(number);
    button.addEventListener('click', () => answer(device, challenge, 'approve', number));
    group.append(button);
  }
  fragment
    .querySelector('[data-field="deny"]')
    .addEventListener('click', () => answer(device, challenge, 'deny', null));
  const expiry = setTimeout(
    () => finishRequest(challenge.id, 'This request has expired.'),
    Math.max(0, challenge.expiresAt * 1000 - Date.now()),
  );
  requests.set(challenge.id, { element, result, expiry, finished: false });
  $('request-list').prepend(fragment);
  updateEmptyState();
  // Opened from a Web Push notification for this request: its numbers are one tap away.
  if (new URLSearchParams(window.location.hash.slice(1)).get('request') === challenge.id) {
    element.querySelector('.push-choice')?.focus();
  }
  notify(challenge);
}

function settleRequest({ id, status }) {
  const entry = requests.get(id);
  if (!entry || entry.answered || entry.answering) return;
  const text = {
    approved: 'Approved on another device.',
    denied: 'Denied.',
    expired: 'This request has expired.',
    withdrawn: 'This sign-in is over: it was finished another way or cancelled.',
  };
  finishRequest(id, text[status] ?? 'This request was answered.');
}

// --- The signed event stream, one per account. EventSource would reconnect with the same (soon
// stale) signature, so on any error the app closes it and opens a freshly signed one.

function connect(device, attempt = 0) {
  signedDeviceUrl({
    origin: device.origin,
    path: PUSH_DEVICE_PATHS.stream,
    deviceId: device.id,
    privateKey: device.privateKey,
  }).then((url) => {
    const source = new EventSource(url);
    source.addEventListener('challenge', (event) => showRequest(device, JSON.parse(event.data)));
    source.addEventListener('resolved', (event) => settleRequest(JSON.parse(event.data)));
    source.addEventListener('ready', () => {
      attempt = 0;
    });
    source.addEventListener('error', async () => {
      source.close();
      if (await wasRemoved(device)) {
        showStatus(
          `This device no longer gets sign-in requests for ${device.account || device.name}: it was removed from that account. Choose “Forget” below to clear it from this app.`,
        );
        return;
      }
      setTimeout(() => connect(device, attempt + 1), Math.min(MAX_RECONNECT_MS, 1000 * 2 ** attempt));
    });
  });
}

async function wasRemoved(device) {
  try {
    const url = await signedDeviceUrl({
      origin: device.origin,
      path: PUSH_DEVICE_PATHS.challenges,
      deviceId: device.id,
      privateKey: device.privateKey,
    });
    const response = await fetch(url);
    return response.status === 401 && (await errorCode(response)) === 'unknown_device';
  } catch {
    return false;
  }
}

// --- Notifications while the app is in the background (no push service: the app must be running).

async function notify(challenge) {
  if (!document.hidden || typeof Notification === 'undefined' || Notification.permission !== 'granted')
    return;
  const registration = await navigator.serviceWorker?.ready;
  const summary = challenge.transaction ? `Approve: ${challenge.transaction.summary}. ` : '';
  registration?.showNotification(`Sign-in request from ${challenge.clientName}`, {
    body: `${summary}Open the authenticator and pick the number shown on the sign-in page.`,
    tag: challenge.id,
    icon: '/assets/authenticator-icon.svg',
  });
}

function offerNotifications() {
  const button = $('enable-notifications');
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await Notification.requestPermission();
    button.hidden = true;
    subscribeToWebPush().catch(() => {});
  });
}

// --- Web Push, when the provider has it on: requests reach the device even while the app is closed.
// One subscription for this browser, registered for each account here, each time signed by that
// account's key. Without it (off, no permission, no Push API) the event stream does everything.

async function subscribeToWebPush() {
  if (!('PushManager' in window) || Notification.permission !== 'granted') return;
  const devices = (await listDevices()).filter((device) => device.origin === window.location.origin);
  if (devices.length === 0) return;
  const response = await fetch(PUSH_DEVICE_PATHS.webPush);
  if (!response.ok) return;
  const { publicKey } = await response.json();
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  const subscribedWith = subscription?.options.applicationServerKey;
  if (subscription && subscribedWith && base64url(new Uint8Array(subscribedWith)) !== publicKey) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: publicKey,
  });
  const { endpoint, keys } = subscription.toJSON();
  for (const device of devices) {
    await sendWebPushSubscription(device, { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  }
}

async function sendWebPushSubscription(device, subscription) {
  const ts = nowSeconds();
  const signature = await signMessage(
    device.privateKey,
    webPushSubscriptionMessage({ deviceId: device.id, timestamp: ts, subscription }),
  );
  await fetch(PUSH_DEVICE_PATHS.webPush, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ device: device.id, ts, subscription, signature }),
  });
}

// --- Accounts on this device.

async function renderDevices() {
  const devices = (await listDevices()).filter((device) => device.origin === window.location.origin);
  const list = $('device-list');
  list.replaceChildren();
  for (const device of devices) {
    const fragment = $('device-template').content.cloneNode(true);
    fill(fragment, 'account', device.account || 'Account');
    fill(fragment, 'name', device.name);
    fragment.querySelector('[data-field="forget"]').addEventListener('click', async () => {
      if (
        !window.confirm(
          `Forget ${device.account || device.name} on this device? It will no longer get requests.`,
        )
      )
        return;
      await forgetDevice(device.id);
      window.location.reload();
    });
    list.append(fragment);
  }
  $('devices').hidden = devices.length === 0;
  $('no-devices').hidden = devices.length > 0 || !$('enroll').hidden;
  return devices;
}

async function start() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/authenticator/sw.js', { scope: '/authenticator' }).catch(() => {});
  }
  setUpEnrollment();
  updateEmptyState();
  try {
    const devices = await renderDevices();
    for (const device of devices) connect(device);
    if (devices.length > 0) offerNotifications();
    subscribeToWebPush().catch(() => {});
  } catch {
    showStatus(
      'This browser does not let the app keep its key (private browsing?). Open it in a normal window.',
    );
  }
  if (nowSeconds() < 1_600_000_000)
    showStatus("This device's clock looks wrong: requests need the right time.");
}

start();
