/** A time, as the page shows it. */
export interface TimeInWords {
  iso: string;
  relative: string;
  utc: string;
}

/**
 * How a person signed in, in words: what the ID token's `acr`, `amr` and `auth_time` say, and when
 * the level was reached when the provider says so (`acr_time`).
 */
export interface AuthenticationSummary {
  level: { title: string; detail: string };
  /** One line per `amr` value other than `mfa`, in the token's order. */
  methods: { amr: string; label: string; short: string }[];
  /** True when `amr` contains `mfa`: two different kinds of factor were proven. */
  multiFactor: boolean;
  /** When the sign-in began (`auth_time`: the earliest proof); undefined when the token had none. */
  when: TimeInWords | undefined;
  /**
   * When the level was reached (`acr_time`: the latest proof behind it, the second step of a
   * two-step sign-in); undefined when the provider did not say, as only Stepup does.
   */
  reached: TimeInWords | undefined;
}

/** Levels well known across providers; any other acr is shown as the provider's own level. */
const LEVELS: Readonly<Record<string, { title: string; detail: string }>> = {
  'urn:stepup:acr:one-factor': {
    title: 'One factor',
    detail: 'You proved who you are one way, such as your password.',
  },
  'http://schemas.openid.net/pape/policies/2007/06/multi-factor': {
    title: 'Two-step verification',
    detail: 'You proved who you are two different ways, such as your password and your phone.',
  },
  'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant': {
    title: 'Phishing-resistant two-step verification',
    detail:
      'Two different ways, one of them a security key or passkey, which only answers the real sign-in page.',
  },
};

/** RFC 8176 (Authentication Method Reference Values), in words: a line for a list, and a few words. */
const METHODS: Readonly<Record<string, { label: string; short: string }>> = {
  pwd: { label: 'Password', short: 'password' },
  otp: { label: 'One-time code (authenticator app, email or recovery code)', short: 'one-time code' },
  swk: {
    label: 'A key kept in software, such as the authenticator app on your phone or a passkey',
    short: 'phone app or passkey',
  },
  hwk: { label: 'A hardware key, such as a security key', short: 'security key' },
  user: { label: 'Your PIN or fingerprint on the device (user verification)', short: 'PIN or biometrics' },
  pin: { label: 'PIN', short: 'PIN' },
  fpt: { label: 'Fingerprint', short: 'fingerprint' },
  face: { label: 'Face recognition', short: 'face' },
  iris: { label: 'Iris scan', short: 'iris' },
  retina: { label: 'Retina scan', short: 'retina' },
  vbm: { label: 'Voice', short: 'voice' },
  sms: { label: 'Code sent by text message', short: 'text message' },
  tel: { label: 'Phone call', short: 'phone call' },
  kba: { label: 'Security questions', short: 'security questions' },
  sc: { label: 'Smart card', short: 'smart card' },
  pop: { label: 'Proof that you hold a key', short: 'key' },
  mca: { label: 'Several channels', short: 'several channels' },
  rba: { label: 'Risk-based checks', short: 'risk checks' },
  geo: { label: 'Location', short: 'location' },
  wia: { label: 'Windows sign-in', short: 'Windows sign-in' },
};

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "yesterday": how long ago `then` was, at the coarsest unit that fits. */
export function describeTimeAgo(then: number, now: number): string {
  const seconds = Math.max(0, now - then);
  if (seconds < 45) return seconds < 5 ? 'just now' : `${seconds} seconds ago`;
  if (seconds < 90 * 60) return RELATIVE.format(-Math.round(seconds / 60), 'minute');
  if (seconds < 36 * 3600) return RELATIVE.format(-Math.round(seconds / 3600), 'hour');
  return RELATIVE.format(-Math.round(seconds / 86_400), 'day');
}

function timeInWords(then: number, now: number): TimeInWords {
  const iso = new Date(then * 1000).toISOString();
  return { iso, relative: describeTimeAgo(then, now), utc: `${iso.slice(0, 19).replace('T', ' ')} UTC` };
}

function describeLevel(acr: string | undefined, mfaAcr: string): { title: string; detail: string } {
  if (acr === undefined) {
    return { title: 'Not stated', detail: 'Your sign-in service did not say (the token has no acr).' };
  }
  // A provider's own multi-factor value (Okta's, say) is the level the salary page asks for.
  const known = LEVELS[acr === mfaAcr ? 'http://schemas.openid.net/pape/policies/2007/06/multi-factor' : acr];
  return known ?? { title: 'Your sign-in service’s own level', detail: 'A level this app has no words for.' };
}

/**
 * Puts the authentication context of a session into words. `mfaAcr` is the level the salary page
 * asks for (a provider-specific value is named as such).
 */
export function summarizeAuthentication(
  context: { acr?: string; amr?: readonly string[]; auth_time?: number; acr_time?: number },
  options: { now: number; mfaAcr: string },
): AuthenticationSummary {
  const { acr, amr = [], auth_time, acr_time } = context;
  return {
    level: describeLevel(acr, options.mfaAcr),
    methods: amr
      .filter((value) => value !== 'mfa')
      .map((value) => ({
        amr: value,
        ...(METHODS[value] ?? { label: 'A method this app has no words for', short: value }),
      })),
    multiFactor: amr.includes('mfa'),
    when: auth_time === undefined ? undefined : timeInWords(auth_time, options.now),
    reached: acr_time === undefined ? undefined : timeInWords(acr_time, options.now),
  };
}
