// The waiting push pages: an event stream from the provider says when there is something new (an
// answer, an expiry, a device added), and the page moves on at once. Without JavaScript a
// <noscript> refresh does the same, only later.
(() => {
  const box = document.querySelector('[data-push-events]');
  if (!box || typeof EventSource === 'undefined') return;
  const next = box.getAttribute('data-push-next') || window.location.href;
  const source = new EventSource(box.getAttribute('data-push-events'));
  let leaving = false;
  const leave = () => {
    if (leaving) return;
    leaving = true;
    source.close();
    // A form marked data-push-submit (the account page's "I've added it") is sent instead, with its token.
    if (box instanceof HTMLFormElement && box.hasAttribute('data-push-submit')) box.submit();
    else window.location.replace(next);
  };
  source.addEventListener('changed', leave);
  source.addEventListener('error', () => {
    // The stream refused for good (the login ended or moved on): reload to see where it stands.
    if (source.readyState === EventSource.CLOSED) setTimeout(leave, 2000);
  });
})();
