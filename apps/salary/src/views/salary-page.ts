import type { AuthenticationSummary } from '../authentication-summary.ts';
import type { SalaryEntry } from '../salary-records.ts';
import { html, type SafeHtml } from './html.ts';
import { icon } from './icons.ts';
import { type PageChrome, renderDocument } from './layout.ts';

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(
    amount,
  );
}

function change(entry: SalaryEntry, previous: SalaryEntry | undefined): SafeHtml | string {
  if (previous === undefined || previous.currency !== entry.currency)
    return html`<span class="muted">—</span>`;
  const percent = ((entry.annualBase - previous.annualBase) / previous.annualBase) * 100;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(1)} %`;
}

/** How the step-up was passed: the methods, and when the second step was made. */
export function verifiedWith(summary: AuthenticationSummary): string {
  // The password first, as the person did it; amr itself has no order.
  const methods = [...summary.methods].sort((a, b) => Number(b.amr === 'pwd') - Number(a.amr === 'pwd'));
  const labels = methods.map((method) => method.short).join(' + ');
  // auth_time is the earliest proof behind the level (the password); the second step is the time
  // the level was reached (acr_time), which only some providers send.
  if (summary.reached) {
    const signedIn = summary.when ? ` You signed in ${summary.when.relative}.` : '';
    return `You passed two-step verification ${summary.reached.relative}: ${labels}.${signedIn}`;
  }
  // Without it the token does not say when the second step was, so the sentence puts no time on it.
  const when = summary.when ? ` You signed in ${summary.when.relative}; the second step came after.` : '';
  return `You opened this page with two-step verification: ${labels}.${when}`;
}

/** `/salary` with data (200): the restricted page of the seed scenario. */
export function renderSalaryPage(options: {
  chrome: PageChrome;
  name: string;
  history: readonly SalaryEntry[];
  summary: AuthenticationSummary;
}): string {
  const { history } = options;
  const [current] = history;
  const rows = history.map(
    (entry, index) => html`<tr>
<td data-label="Effective"><time datetime="${entry.effective}">${entry.effective}</time></td>
<td data-label="Title">${entry.title}</td>
<td data-label="Yearly base" class="number">${money(entry.annualBase, entry.currency)}</td>
<td data-label="Change" class="number">${change(entry, history[index + 1])}</td>
<td data-label="Reason">${entry.reason}</td>
</tr>`,
  );
  const main = html`<div class="card-icon">${icon('chart')}</div>
<p class="eyebrow">Salary · restricted</p>
<h1>Your salary history</h1>
<div class="notice notice-ok" id="verified">${icon('shield')}<p>${verifiedWith(options.summary)}</p></div>
${
  current === undefined
    ? ''
    : html`<p class="figure"><span class="figure-value" id="current-salary">${money(current.annualBase, current.currency)}</span> <span class="muted">a year, as ${current.title}, since ${current.effective}</span></p>`
}
<div class="table-scroll">
<table class="salary-table">
<caption class="visually-hidden">Salary history of ${options.name}, newest first</caption>
<thead><tr><th scope="col">Effective</th><th scope="col">Title</th><th scope="col" class="number">Yearly base</th><th scope="col" class="number">Change</th><th scope="col">Reason</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>
<p class="muted small">Demo data: the figures are made up.</p>
<div class="actions"><a class="button button-secondary" href="/payout-account" id="payout-account-link">Payout account</a></div>`;
  return renderDocument({
    title: 'Salary',
    chrome: { ...options.chrome, current: 'salary' },
    main,
    wide: true,
  });
}

/** `/salary` for someone payroll has nothing on (404): the page is unlocked, there is just nothing to show. */
export function renderNoSalaryPage(options: { chrome: PageChrome; username: string }): string {
  const main = html`<div class="card-icon">${icon('inbox')}</div>
<p class="eyebrow">Salary · restricted</p>
<h1>No salary records yet</h1>
<p>Payroll has no salary history for <strong>${options.username}</strong>. If you joined recently, your first entry appears after your first payday.</p>
<p class="muted">You passed two-step verification: the page is open to you, there is just nothing to show. Questions? Ask your payroll team.</p>
<div class="actions"><a class="button button-secondary" href="/profile">Back to your profile</a></div>`;
  return renderDocument({
    title: 'No salary records',
    chrome: { ...options.chrome, current: 'salary' },
    main,
  });
}
