import { html } from './html.ts';
import { icon } from './icons.ts';
import { type PageChrome, renderDocument } from './layout.ts';

/** A page that says what went wrong and what to do next; it never moves on by itself. */
export interface Problem {
  title: string;
  message: string;
  /** What the person can do, one sentence each. */
  steps: readonly string[];
  /** The main way forward. */
  action?: { href: string; label: string };
  /** A quieter way out. */
  secondary?: { href: string; label: string };
  /** What the sign-in service said, in its own words, quoted as its. */
  said?: string;
  /** A stable code for support, behind a disclosure. */
  technical?: { code: string };
}

export function renderProblemPage(problem: Problem, chrome: PageChrome): string {
  const { action, secondary, technical } = problem;
  const main = html`<div class="card-icon card-icon-error">${icon('alert')}</div>
<h1>${problem.title}</h1>
<p>${problem.message}</p>
${problem.said === undefined ? '' : html`<p class="said">The sign-in service said: <q id="provider-said">${problem.said}</q></p>`}
${
  problem.steps.length === 0
    ? ''
    : html`<h2>What you can do</h2>
<ul class="steps-list">${problem.steps.map((step) => html`<li>${step}</li>`)}</ul>`
}
<div class="actions">
${action ? html`<a class="button button-primary" href="${action.href}">${action.label}</a>` : ''}
${secondary ? html`<a class="button button-secondary" href="${secondary.href}">${secondary.label}</a>` : ''}
</div>
${
  technical === undefined
    ? ''
    : html`<details class="technical">
<summary>Technical details</summary>
<p>Error code: <code id="error-code">${technical.code}</code></p>
</details>`
}`;
  return renderDocument({ title: problem.title, chrome, main });
}
