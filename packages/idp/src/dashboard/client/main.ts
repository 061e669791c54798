import type { UserResource } from './api-types.ts';
import { readDashboardSettings } from './dashboard-settings.ts';
import { describeError } from './describe-error.ts';
import { h, replaceChildren } from './element.ts';
import { ManagementApi } from './management-api.ts';
import { NameDirectory } from './name-directory.ts';
import { OperationRunner, type RecentSignIn } from './operation-runner.ts';
import { currentSession, endSession, startSession } from './operator-session.ts';
import type { Page } from './page.ts';
import { actionsPage } from './pages/actions-page.ts';
import { applicationsPage } from './pages/applications-page.ts';
import { auditLogPage } from './pages/audit-log-page.ts';
import { factorSettingsPage } from './pages/factor-settings-page.ts';
import { signingKeysPage } from './pages/signing-keys-page.ts';
import { userPage } from './pages/user-page.ts';
import { usersPage } from './pages/users-page.ts';
import { discardPendingOperation, takePendingOperation } from './pending-operation.ts';
import type { Route } from './router.ts';
import { startShell } from './shell.ts';
import { completeSignIn, redirectToSignIn, redirectToSignOut, SignInError } from './sign-in.ts';

/**
 * The Action page, loaded when first opened: it brings the code editor, CodeMirror, which is most of
 * the dashboard's weight; the other pages never need it.
 */
const actionPage: Page = async (context) => (await import('./pages/action-page.ts')).actionPage(context);

const ROUTES: Route[] = [
  { pattern: '#/applications', page: applicationsPage, section: 'Applications' },
  { pattern: '#/users', page: usersPage, section: 'Users' },
  { pattern: '#/users/:id', page: userPage, section: 'Users' },
  { pattern: '#/actions', page: actionsPage, section: 'Actions' },
  { pattern: '#/actions/:name', page: actionPage, section: 'Actions' },
  { pattern: '#/settings', page: factorSettingsPage, section: 'Factors' },
  { pattern: '#/audit', page: auditLogPage, section: 'Audit log' },
  { pattern: '#/keys', page: signingKeysPage, section: 'Signing keys' },
];

const SECTIONS = [
  { name: 'Applications', href: '#/applications' },
  { name: 'Users', href: '#/users' },
  { name: 'Actions', href: '#/actions' },
  { name: 'Factors', href: '#/settings' },
  { name: 'Audit log', href: '#/audit' },
  { name: 'Signing keys', href: '#/keys' },
];

function showSignInProblem(root: HTMLElement, error: unknown, retry: () => void): void {
  const message =
    error instanceof SignInError
      ? error.code === 'unmet_authentication_requirements' || error.code === 'access_denied'
        ? 'The dashboard needs a sign-in with a second factor, and it did not happen.'
        : error.message
      : describeError(error);
  replaceChildren(
    root,
    h(
      'main',
      { class: 'card' },
      h('h1', { tabindex: '-1' }, 'You are not signed in'),
      h('div', { class: 'alert alert-error', role: 'alert' }, h('p', {}, message)),
      h('button', { type: 'button', class: 'button button-primary', onclick: retry }, 'Sign in again'),
    ),
  );
  root.querySelector('h1')?.focus();
}

async function start(): Promise<void> {
  const root = document.getElementById('dashboard');
  if (!root) return;
  const settings = readDashboardSettings(root);
  const signIn = () =>
    void redirectToSignIn(settings, { returnTo: window.location.hash || '#/applications' });

  let recentSignIn: RecentSignIn = 'none';
  if (window.location.pathname.endsWith('/dashboard/callback')) {
    try {
      const { session, returnTo, fresh } = await completeSignIn(settings, new URL(window.location.href));
      startSession(session);
      recentSignIn = fresh ? 'fresh' : 'plain';
      window.history.replaceState(null, '', `${settings.dashboardUrl}${returnTo}`);
    } catch (error) {
      discardPendingOperation();
      window.history.replaceState(null, '', settings.dashboardUrl);
      showSignInProblem(root, error, signIn);
      return;
    }
  }
  const session = currentSession();
  if (!session) {
    await redirectToSignIn(settings, { returnTo: window.location.hash || '#/applications' });
    return;
  }

  const api = new ManagementApi(settings.apiBase, () => currentSession()?.accessToken);
  const runner = new OperationRunner(api, settings, { recentSignIn });
  const pending = takePendingOperation();
  const outcome = pending ? await runner.resume(pending) : undefined;
  if (pending) window.history.replaceState(null, '', pending.route);

  const names = new NameDirectory(api);
  let operatorName = session.userId;
  try {
    const operator = await runner.load<UserResource>({
      method: 'GET',
      path: `/users/${encodeURIComponent(session.userId)}`,
    });
    operatorName = operator.name ?? operator.username;
    names.rememberUser(operator);
  } catch (error) {
    showSignInProblem(root, error, signIn);
    return;
  }

  startShell({
    root,
    routes: ROUTES,
    sections: SECTIONS,
    operatorName,
    outcome,
    context: { settings, runner, names, operatorId: session.userId },
    onSignOut: () => {
      endSession();
      redirectToSignOut(settings, session.idToken);
    },
  });
}

void start();
