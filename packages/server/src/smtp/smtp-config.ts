// The SMTP listener's flags and variables (agents' email triggers) and their parsing: off unless
// a port is given, loopback by default, STARTTLS only with a configured certificate and key.
export const SMTP_OPTIONS = {
  'smtp-port': {
    type: 'string',
    env: 'PERIODIC_SMTP_PORT',
    default: '',
    help: "SMTP port for agents' email triggers (unset: no SMTP listener; 0: ephemeral)",
    doc: "SMTP port that receives mail for agents' email aliases (unset: no SMTP listener; `0`: ephemeral). See [email triggers](email-triggers.md)",
  },
  'smtp-host': {
    type: 'string',
    env: 'PERIODIC_SMTP_HOST',
    default: '127.0.0.1',
    help: 'Interface the SMTP listener binds',
  },
  'mail-domain': {
    type: 'string',
    env: 'PERIODIC_MAIL_DOMAIN',
    default: 'periodic.local',
    help: 'The mail domain of email aliases (alias@domain); other domains are refused',
  },
  'smtp-tls-cert': {
    type: 'string',
    env: 'PERIODIC_SMTP_TLS_CERT',
    default: '',
    help: 'PEM certificate (chain) file for STARTTLS; with --smtp-tls-key (unset: no STARTTLS offered)',
  },
  'smtp-tls-key': {
    type: 'string',
    env: 'PERIODIC_SMTP_TLS_KEY',
    default: '',
    help: 'PEM private key file for STARTTLS',
  },
  'smtp-max-bytes': {
    type: 'string',
    env: 'PERIODIC_SMTP_MAX_BYTES',
    default: String(25 * 1024 * 1024),
    help: 'Largest accepted message, bytes (announced as SIZE in EHLO; 552 above)',
  },
  'smtp-max-recipients': {
    type: 'string',
    env: 'PERIODIC_SMTP_MAX_RECIPIENTS',
    default: '20',
    help: 'Recipients per message (452 beyond); each accepted alias starts its own run',
  },
} as const

export interface SmtpConfig {
  /** null: no SMTP listener; 0: an ephemeral port. */
  port: number | null
  host: string
  /** The one domain aliases live in. */
  domain: string
  /** Both or neither; STARTTLS is offered only with both. */
  tls: { certFile: string; keyFile: string } | null
  maxBytes: number
  maxRecipients: number
}

type Get = (k: keyof typeof SMTP_OPTIONS) => string
type Int = (name: string, raw: string, min: number, max: number) => number

const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** Parses the SMTP settings; throws an Error naming the bad one (config.ts turns it into a ConfigError). */
export function smtpConfig(get: Get, int: Int): SmtpConfig {
  const domain = get('mail-domain').toLowerCase()
  if (!DOMAIN.test(domain)) throw new Error(`mail domain must be a host name, got "${domain.slice(0, 100)}"`)
  const cert = get('smtp-tls-cert')
  const key = get('smtp-tls-key')
  if (!!cert !== !!key)
    throw new Error('STARTTLS needs both PERIODIC_SMTP_TLS_CERT and PERIODIC_SMTP_TLS_KEY')
  return {
    port: get('smtp-port') === '' ? null : int('smtp port', get('smtp-port'), 0, 65535),
    host: get('smtp-host'),
    domain,
    tls: cert && key ? { certFile: cert, keyFile: key } : null,
    maxBytes: int('smtp max bytes', get('smtp-max-bytes'), 1024, 1024 * 1024 * 1024),
    maxRecipients: int('smtp max recipients', get('smtp-max-recipients'), 1, 1000),
  }
}
