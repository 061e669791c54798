import { html } from './html.ts';
import { icon } from './icons.ts';
import { renderDocument } from './layout.ts';

/**
 * The authenticator app (a PWA): the shell the script `/assets/authenticator.js` fills in. It keeps
 * each device key in IndexedDB (non-extractable), enrolls with the token in the link's fragment,
 * listens on the signed event stream and signs the person's answers. Nothing in the page depends
 * on the person or the request, so the service worker may keep it for offline start.
 */
export function renderPushAuthenticatorPage(): string {
  const main = html`<div class="card-icon">${icon('phone')}</div>
<p class="eyebrow">Stepup authenticator</p>
<h1>Sign-in requests</h1>
<noscript><div class="alert alert-error" role="alert"><p>The authenticator needs JavaScript: it keeps this device's key and signs your answers.</p></div></noscript>
<div class="notice push-app-status" id="app-status" role="status" hidden><p id="app-status-text"></p></div>

<section class="push-enroll" id="enroll" aria-labelledby="enroll-title" hidden>
<h2 id="enroll-title">Add this device</h2>
<p>This device will get sign-in requests for your account. Its key is created here and never leaves it.</p>
<form id="enroll-form">
<div class="field">
<label for="device-name">Device name</label>
<p class="field-hint" id="device-name-hint">So you can recognise it later, e.g. “Alice's phone”.</p>
<input class="input" type="text" id="device-name" name="name" maxlength="64" value="My phone" autocomplete="off" required aria-describedby="device-name-hint">
</div>
<button class="button button-primary" type="submit">Add this device</button>
</form>
</section>

<section aria-label="Waiting requests">
<ul class="push-requests" id="request-list"></ul>
<p class="muted" id="requests-empty">No sign-in requests right now. Keep this app open: a request shows up here as soon as you sign in.</p>
</section>

<section class="push-devices" id="devices" aria-labelledby="devices-title" hidden>
<h2 id="devices-title">On this device</h2>
<ul class="push-device-list" id="device-list"></ul>
<button class="button button-secondary" type="button" id="enable-notifications" hidden>Show a notification for new requests</button>
</section>
<p class="muted" id="no-devices" hidden>This device is not set up yet. Sign in to an application that asks for a second factor, and scan the QR code it shows with this phone.</p>

<template id="request-template">
<li class="push-request">
<p class="push-request-title"><strong data-field="client"></strong> wants to sign you in</p>
<p class="push-request-transaction" data-field="transaction" hidden></p>
<dl class="push-request-details">
<dt>Account</dt><dd data-field="account"></dd>
<dt>Time</dt><dd data-field="time"></dd>
<dt>From</dt><dd data-field="ip"></dd>
</dl>
<p class="push-request-prompt" data-field="prompt">Pick the number shown on the sign-in page:</p>
<div class="push-choices" role="group" data-field="choices"></div>
<button class="button button-secondary push-deny" type="button" data-field="deny">Deny, it wasn't me</button>
<p class="push-request-result" role="status" data-field="result"></p>
</li>
</template>
<template id="device-template">
<li class="push-device"><span><strong data-field="account"></strong> <span class="muted" data-field="name"></span></span><button class="button button-secondary push-forget" type="button" data-field="forget">Forget</button></li>
</template>`;

  return renderDocument({
    title: 'Authenticator',
    main,
    head: html`<link rel="stylesheet" href="/assets/push.css">
<link rel="manifest" href="/authenticator/manifest.webmanifest">
<meta name="theme-color" content="#2f4fd6">
<link rel="apple-touch-icon" href="/assets/authenticator-icon.svg">
<script type="module" src="/assets/authenticator.js"></script>
`,
  });
}
