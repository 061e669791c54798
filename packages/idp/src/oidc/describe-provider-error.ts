/** Public wording for protocol errors that cannot be sent back to the application. */
export function describeProviderError(out: { error?: unknown; error_description?: unknown }): {
  title: string;
  message: string;
  hint?: string;
} {
  const error = typeof out.error === 'string' ? out.error : 'server_error';
  const description = typeof out.error_description === 'string' ? out.error_description : '';
  if (error === 'invalid_redirect_uri') {
    return {
      title: 'This sign-in link is not valid',
      message: 'The application asked to return you to an address it has not registered with the provider.',
      hint: "Go back to the application and try again. If it keeps happening, tell the application's team: the redirect_uri must match a registered one exactly.",
    };
  }
  if (error === 'invalid_client') {
    return {
      title: 'Unknown application',
      message: 'The application that sent you here is not registered with this provider.',
      hint: "Tell the application's team to check its client_id.",
    };
  }
  if (/session|expired|interaction/i.test(description)) {
    return {
      title: 'Your sign-in has expired',
      message: 'The sign-in took too long or was already completed in another tab.',
      hint: 'Go back to the application and start again.',
    };
  }
  if (error === 'server_error') {
    return {
      title: 'Something went wrong',
      message: 'The provider could not complete the request.',
      hint: 'Try again in a moment.',
    };
  }
  return {
    title: 'The request could not be completed',
    message: description || error,
    hint: 'Go back to the application and try again.',
  };
}
