import { createCodeEditor } from '../action-editor.ts';
import { ApiError } from '../api-error.ts';
import type { ActionDetailView, ActionTestResult, ActionView } from '../api-types.ts';
import { confirmChange } from '../confirm-dialog.ts';
import { dataTable } from '../data-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { button, formField } from '../form-field.ts';
import { clientReference, userReference } from '../named-reference.ts';
import type { Page, PageContext } from '../page.ts';
import { timeText } from '../time-text.ts';

const NEW_ACTION_CODE = `/**
 * Runs after a person is identified, before the application gets its tokens.
 * event: user, client, transaction (acr_values, …), request. api: multifactor.enable(), access.deny(), …
 */
exports.onExecutePostLogin = async (event, api) => {
};
`;

function sampleEventFor(context: PageContext): string {
  return JSON.stringify(
    { client: { client_id: 'salary' }, transaction: { acr_values: context.settings.acr } },
    null,
    2,
  );
}

function testResultView(result: ActionTestResult): HTMLElement {
  const badge = { succeeded: 'badge badge-on', denied: 'badge badge-warn', failed: 'badge badge-error' }[
    result.outcome
  ];
  return h(
    'div',
    { class: 'test-result', 'data-outcome': result.outcome },
    h(
      'p',
      {},
      'Result: ',
      h('span', { class: badge, 'data-test-outcome': '' }, result.outcome),
      ` in ${result.durationMs.toFixed(1)} ms`,
    ),
    result.errorCode
      ? h('p', { class: 'alert alert-error' }, `${result.errorCode}: ${result.errorDetail ?? ''}`)
      : null,
    h('h3', {}, 'What the Action asked for'),
    result.callSummary.length > 0
      ? h(
          'ul',
          { class: 'calls', 'data-test-calls': '' },
          result.callSummary.map((call) => h('li', { class: 'code' }, call)),
        )
      : h('p', { class: 'empty' }, 'No api call: the login goes on as it is.'),
    h('h3', {}, 'Console output'),
    h(
      'pre',
      { class: 'console', 'data-test-console': '', tabindex: '0', 'aria-label': 'Console output' },
      result.logs.length > 0 ? result.logs.join('\n') : '(nothing logged)',
    ),
  );
}

/**
 * One Action: its code in CodeMirror, deploy (a new version; needs a fresh MFA, which the runner gets
 * and then deploys what was typed), enable / disable, delete (also a fresh MFA), version history,
 * recent executions, and a test run of the deployed version against a sample event, with its result and
 * console output.
 */
export const actionPage: Page = async (context) => {
  const name = context.params.name ?? '';
  const path = `/actions/${encodeURIComponent(name)}`;
  const loadDetail = async (): Promise<ActionDetailView | undefined> => {
    try {
      const { action } = await context.runner.load<{ action: ActionDetailView }>({ method: 'GET', path });
      await context.names.lookUp({
        users: action.recentExecutions.flatMap((run) => (run.userId ? [run.userId] : [])),
        clients: action.recentExecutions.flatMap((run) => (run.clientId ? [run.clientId] : [])),
      });
      return action;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  };
  let detail = await loadDetail();

  const { outcome } = context;
  const draft =
    outcome && !outcome.ok && outcome.operation.kind === 'action.deploy'
      ? (outcome.operation.request.body as { code?: string }).code
      : undefined;
  const status = h('p', { class: 'lead', 'data-action-status': '' });
  const dirty = h('span', { class: 'field-hint', role: 'status' });
  const editor = createCodeEditor({
    code: draft ?? detail?.code ?? NEW_ACTION_CODE,
    label: `Code of the Action ${name}`,
    onChange: () => {
      dirty.textContent = editor.changed() ? 'Changed since the last deploy: deploy to use it.' : '';
    },
  });
  if (draft !== undefined) dirty.textContent = 'Restored your change: deploy it again.';
  const versions = h('div', {});
  const executions = h('div', {});
  const toggle = button('Disable', () => void switchEnabled(), 'secondary');
  const remove = button('Delete', () => void deleteAction(), 'danger');

  const renderDetail = () => {
    if (!detail) {
      status.textContent = 'Not deployed yet: write the code and deploy it.';
      toggle.hidden = true;
      remove.hidden = true;
      replaceChildren(versions, h('p', { class: 'empty' }, 'No version yet.'));
      replaceChildren(executions);
      return;
    }
    status.textContent = `Version ${detail.version} · ${detail.enabled ? 'enabled' : 'disabled'} · number ${detail.position} in the run order after each sign-in`;
    toggle.hidden = false;
    remove.hidden = false;
    toggle.textContent = detail.enabled ? 'Disable' : 'Enable';
    replaceChildren(
      versions,
      dataTable({
        caption: 'Versions of this Action',
        empty: 'No version yet.',
        rows: [...detail.versions].sort((a, b) => b.version - a.version),
        columns: [
          { header: 'Version', kind: 'num', cell: (version) => String(version.version) },
          { header: 'Deployed', cell: (version) => timeText(version.createdAt) },
          { header: 'Secrets', cell: (version) => version.secretNames.join(', ') || '—' },
          {
            header: '',
            cell: (version) =>
              version.version === detail?.version ? h('span', { class: 'badge badge-on' }, 'current') : '',
          },
        ],
      }),
    );
    replaceChildren(
      executions,
      dataTable({
        caption: 'Recent executions',
        empty: 'It has not run at a sign-in yet.',
        rows: detail.recentExecutions,
        columns: [
          { header: 'Started', cell: (run) => timeText(run.startedAt) },
          { header: 'Version', kind: 'num', cell: (run) => String(run.version) },
          { header: 'Outcome', cell: (run) => run.outcome },
          { header: 'Calls', kind: 'code', cell: (run) => run.calls.join('\n') || '—' },
          {
            header: 'User',
            cell: (run) => (run.userId ? userReference(context.names, run.userId) : '—'),
          },
          {
            header: 'Client',
            cell: (run) => (run.clientId ? clientReference(context.names, run.clientId) : '—'),
          },
        ],
      }),
    );
  };

  const deploy = async () => {
    try {
      const result = await context.runner.perform<{ action: ActionView; changed: boolean }>({
        kind: 'action.deploy',
        label: `Deploy ${name}`,
        request: {
          method: 'PUT',
          path,
          body: { trigger: detail?.trigger ?? 'post-login', code: editor.code() },
        },
      });
      editor.markSaved();
      dirty.textContent = '';
      context.announce(
        result.changed
          ? `Deployed version ${result.action.version} of ${name}.`
          : `No change: version ${result.action.version} has this code.`,
      );
      detail = await loadDetail();
      renderDetail();
    } catch (error) {
      context.announce(describeError(error), 'error');
    }
  };

  const switchEnabled = async () => {
    if (!detail) return;
    const enabled = !detail.enabled;
    try {
      await context.runner.perform({
        kind: 'action.enable',
        label: `${enabled ? 'Enable' : 'Disable'} ${name}`,
        request: { method: 'PATCH', path, body: { enabled } },
      });
      context.announce(`${name} is ${enabled ? 'enabled' : 'disabled'}.`);
      detail = await loadDetail();
      renderDetail();
    } catch (error) {
      context.announce(describeError(error), 'error');
    }
  };

  const deleteAction = async () => {
    const confirmed = await confirmChange({
      title: `Delete ${name}?`,
      message:
        'Its code, every version, its secrets and its execution log are removed, and sign-ins run without it from now on. This cannot be undone.',
      confirmLabel: 'Delete Action',
    });
    if (!confirmed) return;
    try {
      // After a sign-in in between, come back to the list: this page is gone with the Action.
      await context.runner.perform({
        kind: 'action.delete',
        label: `Delete ${name}`,
        request: { method: 'DELETE', path },
        route: '#/actions',
      });
      context.navigate('#/actions', `${name} was deleted.`);
    } catch (error) {
      context.announce(describeError(error), 'error');
    }
  };

  const eventInput = h(
    'textarea',
    { class: 'input code', name: 'event', rows: '6', spellcheck: false },
    sampleEventFor(context),
  );
  const testOutput = h('div', { 'aria-live': 'polite' });
  const testForm = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'test-run' },
    h('h2', { id: 'test-run' }, 'Test run'),
    h(
      'p',
      { class: 'field-hint' },
      'Runs the deployed version against a sample sign-in; nothing is applied to anyone.',
    ),
    formField({
      label: 'Sample event (merged into the default sample)',
      control: eventInput,
      hint: 'JSON: e.g. the client and the acr_values the application sends.',
    }),
    h('button', { type: 'submit', class: 'button button-secondary button-inline' }, 'Run test'),
    testOutput,
  );
  testForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    let sample: unknown;
    try {
      sample = JSON.parse(eventInput.value || '{}');
    } catch {
      eventInput.setAttribute('aria-invalid', 'true');
      replaceChildren(
        testOutput,
        h('p', { class: 'alert alert-error', role: 'alert' }, 'The sample event is not valid JSON.'),
      );
      eventInput.focus();
      return;
    }
    eventInput.removeAttribute('aria-invalid');
    replaceChildren(testOutput, h('p', { class: 'loading' }, 'Running…'));
    try {
      const { result } = await context.runner.perform<{ result: ActionTestResult }>({
        kind: 'action.test',
        label: `Test ${name}`,
        request: { method: 'POST', path: `${path}/test`, body: { event: sample } },
      });
      replaceChildren(testOutput, testResultView(result));
    } catch (error) {
      replaceChildren(
        testOutput,
        h('p', { class: 'alert alert-error', role: 'alert' }, describeError(error)),
      );
    }
  });

  if (outcome?.ok && outcome.operation.kind === 'action.deploy') {
    const value = outcome.value as { action: ActionView; changed: boolean };
    context.announce(`Deployed version ${value.action.version} of ${name} after your new sign-in.`);
  } else if (outcome?.ok && outcome.operation.kind === 'action.test') {
    replaceChildren(testOutput, testResultView((outcome.value as { result: ActionTestResult }).result));
  } else if (outcome?.ok) {
    context.announce(`Done after your new sign-in: ${outcome.operation.label}.`);
  } else if (outcome) {
    context.announce(`${outcome.operation.label}: ${describeError(outcome.error)}`, 'error');
  }
  renderDetail();

  return h(
    'div',
    {},
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/actions' }, 'Actions'), ' / '),
    h('h1', {}, name),
    status,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'code-heading' },
      h('h2', { id: 'code-heading' }, 'Code'),
      editor.element,
      h(
        'div',
        { class: 'button-row' },
        button('Deploy', () => void deploy(), 'primary'),
        toggle,
        remove,
        dirty,
      ),
    ),
    testForm,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'versions-heading' },
      h('h2', { id: 'versions-heading' }, 'Version history'),
      versions,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'executions-heading' },
      h('h2', { id: 'executions-heading' }, 'Recent executions'),
      executions,
    ),
  );
};
