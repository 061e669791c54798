import type { RpSession, StepupRp } from '@stepup/rp';
import { type createExpressAuth, getSession } from '@stepup/rp/express';
import express, { type Express, type Request, type Response } from 'express';
import type { PageChrome } from '../views/layout.ts';
import { renderPayoutAccountPage } from '../views/payout-account-page.ts';
import {
  checkPayoutAccountChange,
  PAYOUT_ACCOUNT_CHANGE,
  type PayoutAccountChange,
} from './payout-account-change.ts';
import type { PayoutAccounts } from './payout-accounts.ts';

/** What the payout account routes need from the app around them. */
export interface PayoutAccountRouteContext {
  rp: StepupRp;
  auth: ReturnType<typeof createExpressAuth>;
  accounts: PayoutAccounts;
  /** The payroll key of a person (as the salary records are keyed). */
  personOf(session: RpSession): string;
  /** The resource indicator a change is approved for (see `payoutAccountResource`). */
  resource: string;
  chrome(signedIn: boolean): PageChrome;
  sendPage(res: Response, status: number, page: string): void;
  now(): number;
}

const CONFIRM_PATH = '/payout-account/confirm';

/** The approved change, from the confirm link (checked by the route before the guard reads it). */
function changeFromQuery(req: Request): PayoutAccountChange {
  const checked = checkPayoutAccountChange(req.query);
  if (!checked.ok) throw new TypeError('the confirm link was not checked before the guard');
  return checked.change;
}

/**
 * The payout account page. The form posts the new account; a valid one is sent, normalized, to the
 * confirm link, which saves it only behind `requireTransaction`: an approval of exactly
 * `payout_account_change` `{ iban, holder }`, fresh and used once. The form's post itself changes
 * nothing, so it needs no CSRF token: the approval on the person's device is what authorizes the change.
 */
export function mountPayoutAccountRoutes(app: Express, context: PayoutAccountRouteContext): void {
  const { auth, accounts, personOf, chrome, sendPage } = context;

  app.get('/payout-account', auth.requireAuth(), (req, res) => {
    const session = getSession(res);
    const page = renderPayoutAccountPage({
      chrome: chrome(true),
      current: accounts.find(personOf(session)),
      saved: req.query.saved === '1',
    });
    sendPage(res, 200, page);
  });

  app.post(
    '/payout-account',
    auth.requireAuth(),
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }),
    (req, res) => {
      const session = getSession(res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const checked = checkPayoutAccountChange(body);
      if (!checked.ok) {
        const entered = {
          iban: typeof body.iban === 'string' ? body.iban : '',
          holder: typeof body.holder === 'string' ? body.holder : '',
        };
        const page = renderPayoutAccountPage({
          chrome: chrome(true),
          current: accounts.find(personOf(session)),
          problems: checked.problems,
          entered,
        });
        return sendPage(res, 400, page);
      }
      const confirm = new URLSearchParams({ iban: checked.change.iban, holder: checked.change.holder });
      res.redirect(303, `${CONFIRM_PATH}?${confirm}`);
    },
  );

  app.get(
    CONFIRM_PATH,
    (req, res, next) => {
      const checked = checkPayoutAccountChange(req.query);
      if (checked.ok) return next();
      // A hand-edited link: refused before any approval is asked for.
      const page = renderPayoutAccountPage({
        chrome: chrome(true),
        current: undefined,
        problems: checked.problems,
      });
      sendPage(res, 400, page);
    },
    auth.requireTransaction(PAYOUT_ACCOUNT_CHANGE, (req) => ({ ...changeFromQuery(req) }), {
      resource: context.resource,
    }),
    (req, res) => {
      const session = getSession(res);
      accounts.save(personOf(session), { ...changeFromQuery(req), changedAt: context.now() });
      res.redirect(303, '/payout-account?saved=1');
    },
  );
}
