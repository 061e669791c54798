import { formatIban } from '../payout/iban.ts';
import { PAYOUT_ACCOUNT_PROBLEMS, type PayoutAccountProblem } from '../payout/payout-account-change.ts';
import type { PayoutAccount } from '../payout/payout-accounts.ts';
import { html } from './html.ts';
import { icon } from './icons.ts';
import { type PageChrome, renderDocument } from './layout.ts';

/**
 * `/payout-account`: the account the salary is paid into, and the form to change it. Saving asks
 * for an approval on the person's phone that shows the new IBAN and holder; only that approval
 * saves it. `entered` refills the form after a refusal, `problems` say what to fix.
 */
export function renderPayoutAccountPage(options: {
  chrome: PageChrome;
  current: PayoutAccount | undefined;
  saved?: boolean;
  problems?: readonly PayoutAccountProblem[];
  entered?: { iban: string; holder: string };
}): string {
  const { current, problems = [], entered } = options;
  const currentAccount =
    current === undefined
      ? html`<p class="muted" id="current-account">Payroll has no payout account for you yet.</p>`
      : html`<dl class="facts" id="current-account">
<div><dt>IBAN</dt><dd id="current-iban"><code>${formatIban(current.iban)}</code></dd></div>
<div><dt>Account holder</dt><dd id="current-holder">${current.holder}</dd></div>
</dl>`;
  const saved = options.saved
    ? html`<div class="notice notice-ok" id="saved" role="status">${icon('check')}<p>Your new payout account is saved. Your next salary is paid into it.</p></div>`
    : '';
  const refused =
    problems.length === 0
      ? ''
      : html`<div class="notice notice-error" id="problems" role="alert">${icon('alert')}<div><p>Nothing was changed. Please fix this:</p>
<ul>${problems.map((problem) => html`<li data-problem="${problem}">${PAYOUT_ACCOUNT_PROBLEMS[problem]}</li>`)}</ul></div></div>`;
  const main = html`<div class="card-icon">${icon('lock')}</div>
<p class="eyebrow">Salary · payout account</p>
<h1>Payout account</h1>
${saved}
<h2>Your salary is paid into</h2>
${currentAccount}
<h2>Change it</h2>
${refused}
<form class="stacked-form" method="post" action="/payout-account">
<label for="iban">New IBAN</label>
<input id="iban" name="iban" autocomplete="off" spellcheck="false" required maxlength="42" value="${entered?.iban ?? ''}">
<label for="holder">Account holder</label>
<input id="holder" name="holder" autocomplete="name" required maxlength="70" value="${entered?.holder ?? ''}">
<p class="muted small">To save, you approve the change on your phone or with your security key: it shows the new IBAN and holder. Check them there before you approve.</p>
<div class="actions"><button class="button button-primary" type="submit">Save with approval</button>
<a class="button button-secondary" href="/salary">Back to your salary</a></div>
</form>`;
  return renderDocument({
    title: 'Payout account',
    chrome: { ...options.chrome, current: 'salary' },
    main,
  });
}
