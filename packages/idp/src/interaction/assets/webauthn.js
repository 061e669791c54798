// Runs the WebAuthn ceremony of each `form[data-webauthn]` on a Stepup page (see
// webauthn-ceremony-form.ts): fetch the options from `data-options-url` with the form's CSRF token, ask
// the authenticator through @simplewebauthn/browser (loaded before this script as the global
// `SimpleWebAuthnBrowser`), put the JSON result in the `response` field and submit the form. The server
// checks everything; this script only carries messages between the page and the authenticator.
(() => {
  const library = window.SimpleWebAuthnBrowser;
  const forms = document.querySelectorAll('form[data-webauthn]');
  if (forms.length === 0) return;

  if (!library?.browserSupportsWebAuthn()) {
    for (const notice of document.querySelectorAll('[data-webauthn-unsupported]')) notice.hidden = false;
    return;
  }

  function describeFailure(error) {
    const name = error && typeof error === 'object' ? error.name : '';
    if (name === 'NotAllowedError' || name === 'AbortError') {
      return 'The request was cancelled or timed out. Try again when your security key or passkey is ready.';
    }
    if (name === 'InvalidStateError') {
      return 'This security key or passkey is already set up for your account. Use another one, or choose another way.';
    }
    if (name === 'SecurityError') {
      return 'This browser refused the request for this site. Check the address, then try again.';
    }
    return 'Something went wrong. Reload the page and try again.';
  }

  for (const form of forms) {
    const panel = form.closest('[data-webauthn-panel]');
    const button = form.querySelector('button[type="submit"]');
    const errorBox = form.querySelector('[data-webauthn-error]');
    const showError = (message) => {
      if (!errorBox) return;
      const text = errorBox.querySelector('p');
      if (text) text.textContent = message;
      errorBox.hidden = false;
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (button) button.disabled = true;
      if (errorBox) errorBox.hidden = true;
      try {
        const optionsResponse = await fetch(form.dataset.optionsUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ csrf: form.elements.namedItem('csrf').value }),
        });
        if (!optionsResponse.ok) throw new Error(`options: HTTP ${optionsResponse.status}`);
        const optionsJSON = await optionsResponse.json();
        const result =
          form.dataset.webauthn === 'register'
            ? await library.startRegistration({ optionsJSON })
            : await library.startAuthentication({ optionsJSON });
        form.elements.namedItem('response').value = JSON.stringify(result);
        // submit() sends the form without firing this handler again.
        form.submit();
      } catch (error) {
        showError(describeFailure(error));
        if (button) button.disabled = false;
      }
    });

    if (panel) panel.hidden = false;
  }
})();
