import { ApiError } from '../api-error.ts';
import type { ClientResource, ClientWithSecret, ListPage, SettingsResource } from '../api-types.ts';
import { confirmChange } from '../confirm-dialog.ts';
import { dataTable } from '../data-table.ts';
import { describeError } from '../describe-error.ts';
import { h, replaceChildren } from '../element.ts';
import { button, checkboxField, formField, pointAtField, selectInput, textInput } from '../form-field.ts';
import type { Page, PageContext } from '../page.ts';
import { secretOnce } from '../secret-once.ts';

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'];

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function createForm(context: PageContext, ladder: string[], onCreated: (result: ClientWithSecret) => void) {
  const form = h('form', { class: 'panel', 'aria-labelledby': 'new-application' });
  const publicClient = checkboxField({
    label: 'Public client (a browser or mobile app: no secret, PKCE required)',
    name: 'public',
    checked: false,
  });
  const requirePar = checkboxField({
    label: 'Require pushed authorization requests (PAR)',
    name: 'require_pushed_authorization_requests',
    checked: false,
    hint: 'The app sends its request, step-up parameters included, to the provider first; the browser only carries a reference.',
  });
  const requireDpop = checkboxField({
    label: 'Require DPoP-bound tokens',
    name: 'dpop_bound_access_tokens',
    checked: false,
    hint: "Tokens work only with a proof from the app's key: a copied token is useless.",
  });
  const redirectUris = h('textarea', { class: 'input', name: 'redirect_uris', rows: '2', required: true });
  const logoutUris = h('textarea', { class: 'input', name: 'post_logout_redirect_uris', rows: '2' });
  form.append(
    h('h2', { id: 'new-application' }, 'Register an application'),
    h(
      'div',
      { class: 'form-grid' },
      formField({ label: 'Name', control: textInput('client_name', { required: true }) }),
      formField({
        label: 'Client id',
        control: textInput('client_id', {
          required: true,
          pattern: '[A-Za-z0-9._~\\-]{1,128}',
          spellcheck: false,
        }),
        hint: 'Letters, digits and . _ ~ -',
      }),
    ),
    formField({
      label: 'Redirect URIs',
      control: redirectUris,
      hint: 'One per line, exactly as the app sends them.',
    }),
    formField({ label: 'Post-logout redirect URIs', control: logoutUris, hint: 'One per line; optional.' }),
    h(
      'div',
      { class: 'form-grid' },
      formField({
        label: 'ID token algorithm',
        control: selectInput('id_token_signed_response_alg', ALGORITHMS, 'RS256'),
      }),
      formField({
        label: 'Default acr',
        control: selectInput('default_acr_values', [{ value: '', label: 'None (the app asks)' }, ...ladder]),
        hint: 'Used when the app sends no acr_values.',
      }),
    ),
    publicClient.field,
    requirePar.field,
    requireDpop.field,
    h('button', { type: 'submit', class: 'button button-primary button-inline' }, 'Register application'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const defaultAcr = String(data.get('default_acr_values') ?? '');
    const body = {
      client_id: String(data.get('client_id') ?? '').trim(),
      client_name: String(data.get('client_name') ?? '').trim(),
      redirect_uris: lines(redirectUris.value),
      post_logout_redirect_uris: lines(logoutUris.value),
      id_token_signed_response_alg: String(data.get('id_token_signed_response_alg')),
      default_acr_values: defaultAcr ? [defaultAcr] : [],
      public: publicClient.input.checked,
      require_pushed_authorization_requests: requirePar.input.checked,
      dpop_bound_access_tokens: requireDpop.input.checked,
    };
    try {
      const result = await context.runner.perform<ClientWithSecret>({
        kind: 'client.create',
        label: `Register ${body.client_id}`,
        request: { method: 'POST', path: '/clients', body },
      });
      pointAtField(form, undefined);
      form.reset();
      onCreated(result);
    } catch (error) {
      pointAtField(form, error instanceof ApiError ? error.field : undefined);
      context.announce(describeError(error), 'error');
    }
  });
  return form;
}

/** The request security a client is held to beyond the provider's floor, in a few words. */
function describeRequestSecurity(client: ClientResource): string {
  const parts = [
    client.client_profile === 'fapi2' ? 'FAPI 2.0' : '',
    client.require_pushed_authorization_requests ? 'PAR' : '',
    client.require_signed_request_object ? 'signed requests' : '',
    client.dpop_bound_access_tokens ? 'DPoP' : '',
    client.token_endpoint_auth_method === 'private_key_jwt' ? 'private_key_jwt' : '',
  ].filter(Boolean);
  return parts.join(', ') || '—';
}

/** What became of the replaced secret, from the rotation's answer. */
function rotationNotice(clientId: string, result: ClientWithSecret): string {
  const until = result.previous_secret_expires_at;
  if (!until) return `The secret of ${clientId} was rotated; the old one no longer works.`;
  const time = new Date(until).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return `The secret of ${clientId} was rotated; the old one keeps working until ${time}.`;
}

/** Applications: the registered clients, registering one, rotating a secret (shown once), deleting. */
export const applicationsPage: Page = async (context) => {
  const [clients, settings] = await Promise.all([
    context.runner.load<ListPage<ClientResource>>({ method: 'GET', path: '/clients' }),
    context.runner.load<SettingsResource>({ method: 'GET', path: '/settings' }),
  ]);
  const revealed = h('div', {});
  const list = h('div', {});
  const showSecret = (result: ClientWithSecret) => {
    if (result.client_secret)
      replaceChildren(revealed, secretOnce(result.client.client_id, result.client_secret));
    else replaceChildren(revealed);
  };

  const renderList = (items: ClientResource[]) => {
    context.names.rememberClients(items);
    replaceChildren(
      list,
      dataTable({
        caption: 'Registered applications',
        empty: 'No application is registered yet.',
        rows: items,
        columns: [
          { header: 'Name', cell: (client) => client.client_name ?? '—' },
          { header: 'Client id', kind: 'code', cell: (client) => client.client_id },
          { header: 'Type', cell: (client) => client.type },
          {
            header: 'Redirect URIs',
            cell: (client) => client.redirect_uris.map((uri) => h('div', { class: 'code' }, uri)),
          },
          { header: 'ID token', cell: (client) => client.id_token_signed_response_alg },
          { header: 'Default acr', cell: (client) => client.default_acr_values.join(' ') || '—' },
          { header: 'Request security', cell: (client) => describeRequestSecurity(client) },
          {
            header: 'Manage',
            cell: (client) =>
              client.provider_role !== null
                ? h(
                    'span',
                    { class: 'muted' },
                    `The provider's own ${client.provider_role}: not changed here`,
                  )
                : h(
                    'div',
                    { class: 'button-row' },
                    client.type === 'confidential'
                      ? button('Rotate secret', () => void rotate(client), 'secondary', {
                          class: 'button button-secondary button-small',
                          'aria-label': `Rotate the secret of ${client.client_id}`,
                        })
                      : null,
                    button('Delete', () => void remove(client), 'danger', {
                      class: 'button button-danger button-small',
                      'aria-label': `Delete ${client.client_id}`,
                    }),
                  ),
          },
        ],
      }),
    );
  };

  const reload = async () => {
    const fresh = await context.runner.load<ListPage<ClientResource>>({ method: 'GET', path: '/clients' });
    renderList(fresh.items);
  };

  const rotate = async (client: ClientResource) => {
    const endNow = checkboxField({
      label: 'Stop the current secret now (it leaked)',
      name: 'end_now',
      checked: false,
      hint: 'Otherwise it keeps working for the grace period the provider allows, while the app moves over.',
    });
    const confirmed = await confirmChange({
      title: `Rotate the secret of ${client.client_id}?`,
      message: 'A new secret is made and shown once. The application needs it to sign people in.',
      confirmLabel: 'Rotate secret',
      choice: endNow.field,
    });
    if (!confirmed) return;
    try {
      const result = await context.runner.perform<ClientWithSecret>({
        kind: 'client.rotate-secret',
        label: `Rotate the secret of ${client.client_id}`,
        request: {
          method: 'POST',
          path: `/clients/${encodeURIComponent(client.client_id)}/secret`,
          ...(endNow.input.checked ? { body: { grace_seconds: 0 } } : {}),
        },
      });
      showSecret(result);
      context.announce(rotationNotice(client.client_id, result));
    } catch (error) {
      context.announce(describeError(error), 'error');
    }
  };

  const remove = async (client: ClientResource) => {
    const confirmed = await confirmChange({
      title: `Delete ${client.client_id}?`,
      message: 'The application can no longer sign anyone in. This cannot be undone.',
      confirmLabel: 'Delete application',
    });
    if (!confirmed) return;
    try {
      await context.runner.perform({
        kind: 'client.delete',
        label: `Delete ${client.client_id}`,
        request: { method: 'DELETE', path: `/clients/${encodeURIComponent(client.client_id)}` },
      });
      context.announce(`${client.client_id} was deleted.`);
      await reload();
    } catch (error) {
      context.announce(describeError(error), 'error');
    }
  };

  const { outcome } = context;
  if (outcome?.ok) {
    if (outcome.operation.kind !== 'client.delete') showSecret(outcome.value as ClientWithSecret);
    context.announce(`Done after your new sign-in: ${outcome.operation.label}.`);
  } else if (outcome) {
    context.announce(`${outcome.operation.label}: ${describeError(outcome.error)}`, 'error');
  }
  renderList(clients.items);

  return h(
    'div',
    {},
    h('h1', {}, 'Applications'),
    h('p', { class: 'lead' }, 'The apps that sign people in with this provider.'),
    revealed,
    list,
    createForm(
      context,
      settings.acr_ladder.map((level) => level.acr),
      async (result) => {
        showSecret(result);
        context.announce(`${result.client.client_id} is registered.`);
        await reload();
      },
    ),
  );
};
