// The recovery codes page: adds a Copy button beside the Download link (which works without script).
// Loaded from this origin, as the Content-Security-Policy asks: no inline script.
(() => {
  const list = document.querySelector('[data-recovery-codes-list]');
  const download = document.querySelector('[data-recovery-codes-download]');
  if (!list || !download || !navigator.clipboard) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button-secondary';
  button.textContent = 'Copy codes';
  button.setAttribute('data-recovery-codes-copy', '');
  button.addEventListener('click', async () => {
    const codes = [...list.querySelectorAll('code')].map((code) => code.textContent).join('\n');
    try {
      await navigator.clipboard.writeText(`${codes}\n`);
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Could not copy: select the codes instead';
    }
  });
  download.before(button);
})();
