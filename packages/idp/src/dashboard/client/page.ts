import type { DashboardSettings } from './dashboard-settings.ts';
import type { NameDirectory } from './name-directory.ts';
import type { OperationOutcome, OperationRunner } from './operation-runner.ts';

/** What every page gets from the shell. */
export interface PageContext {
  settings: DashboardSettings;
  runner: OperationRunner;
  /** Usernames and application names behind the ids the API returns, kept for the tab's life. */
  names: NameDirectory;
  /** The route's parameters (`#/users/:id` → `{ id }`), decoded. */
  params: Record<string, string>;
  /** The change this page asked for before a sign-in, sent again just now. */
  outcome: OperationOutcome | undefined;
  /** Shows a message at the top of the page and has screen readers read it. */
  announce(message: string, tone?: 'success' | 'error'): void;
  /** Goes to another route, e.g. `#/users/abc`, and shows `message` there (when this page is gone). */
  navigate(route: string, message?: string): void;
  /** The operator's own user id: the dashboard will not let them delete or block themselves by mistake. */
  operatorId: string;
}

/** A page: renders its content (an `h1` first) from the API. Errors reject and the shell shows them. */
export type Page = (context: PageContext) => Promise<HTMLElement>;
