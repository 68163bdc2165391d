// Every flag of `periodic serve`: its environment variable, default and help line (and, where the
// help line is too short for the docs, a `doc` sentence in markdown), plus the settings read from
// the environment only. config.ts parses them into a Config; `periodic --help` lists the flags and
// docs/configuration.md (`npm run config-docs`, checked fresh by a test) lists them all.
import { QUOTA_OPTIONS } from './quotas/quota-config.ts'
import { SMTP_OPTIONS } from './smtp/smtp-config.ts'

export const CONFIG_OPTIONS = {
  port: { type: 'string', env: 'PERIODIC_PORT', default: '8420', help: 'HTTP port' },
  host: { type: 'string', env: 'PERIODIC_HOST', default: '127.0.0.1', help: 'Interface to listen on' },
  'data-dir': {
    type: 'string',
    env: 'PERIODIC_DATA_DIR',
    default: './.periodic',
    help: 'SQLite database, admin.key and other local state',
  },
  'source-dir': {
    type: 'string',
    env: 'PERIODIC_SOURCE_DIR',
    default: '',
    help: "Where the elements' Source (Git) repositories live; empty = <data-dir>/source",
    doc: "One bare Git repository per element. When several nodes run, point every node at the same shared directory: branch updates take Git's own lock files, so nodes never lose each other's commits, and nothing is cached, so no node serves a stale branch.",
  },
  'body-limit': {
    type: 'string',
    env: 'PERIODIC_BODY_LIMIT',
    default: String(10 * 1024 * 1024),
    help: 'Largest accepted request body, bytes',
    doc: 'Largest request body, bytes (413 `PAYLOAD_TOO_LARGE` above)',
  },
  'log-level': {
    type: 'string',
    env: 'PERIODIC_LOG_LEVEL',
    default: 'info',
    help: 'fatal, error, warn, info, debug, trace or silent',
  },
  sandbox: {
    type: 'string',
    env: 'PERIODIC_SANDBOX',
    default: 'auto',
    help: 'auto, bwrap, gvisor (strict, no network) or process (no isolation)',
    doc: '`auto` (bwrap when installed, else process), `bwrap`, `gvisor` (strict, no network) or `process` (no isolation); see [the sandbox](elements/python.md#what-the-sandbox-guarantees)',
  },
  'sandbox-uid': {
    type: 'string',
    env: 'PERIODIC_SANDBOX_UID',
    default: '65534',
    help: 'Host uid[:gid] sandboxed code runs as when the server runs as root (never 0)',
  },
  python: {
    type: 'string',
    env: 'PERIODIC_PYTHON',
    default: '/usr/bin/python3',
    help: 'Python for workers and layers',
  },
  'idle-timeout': {
    type: 'string',
    env: 'PERIODIC_IDLE_TIMEOUT_MS',
    default: '60000',
    help: 'Stop idle Python workers after ms',
    doc: 'Stop idle Python workers after this many ms (scale to zero)',
  },
  'rate-limit': {
    type: 'string',
    env: 'PERIODIC_RATE_LIMIT',
    default: '100',
    help: 'Requests per second per API key (0: off; admin key exempt)',
    doc: 'Requests per second per API key (decimals allowed; `0` turns it off); the bootstrap admin key is exempt. See [rate limits](limits.md#rate-limits)',
  },
  'rate-limit-burst': {
    type: 'string',
    env: 'PERIODIC_RATE_LIMIT_BURST',
    default: '2x rate',
    help: 'Requests a key may make at once before the rate applies',
  },
  'revocation-sweep': {
    type: 'string',
    env: 'PERIODIC_REVOCATION_SWEEP_MS',
    default: '30000',
    help: 'Re-read the keys of live connections every this many ms, in case a revocation was missed (0: never)',
  },
  'metrics-public': {
    type: 'string',
    env: 'PERIODIC_METRICS_PUBLIC',
    default: 'false',
    help: 'Serve GET /metrics without the admin key (true/false)',
    doc: "Serve `GET /metrics` without the admin key (`true`/`false`; its labels name every circle's elements)",
  },
  'ws-auth-failures': {
    type: 'string',
    env: 'PERIODIC_WS_AUTH_FAILURES',
    default: '10',
    help: 'Failed websocket upgrade tokens per client address a minute before it gets 429 for a minute (0: off)',
    doc: 'Failed WebSocket upgrade tokens per client address (IPv6: its /64) a minute before it gets `429 WS_AUTH_THROTTLED` for a minute (`0`: off)',
  },
  'python-warm-sandboxes': {
    type: 'string',
    env: 'PERIODIC_PYTHON_WARM_SANDBOXES',
    default: '2',
    help: 'Pre-started generic Python sandboxes kept ready for cold starts (0: off)',
    doc: 'Pre-started generic Python sandboxes (bwrap) kept ready so a cold element only loads its code, plus one for each of the last four layer combinations that cold-started (`0`: none); each holds one worker and 128 MB of the server budget while it waits, and is given up first when the budget runs short',
  },
  'log-cap': {
    type: 'string',
    env: 'PERIODIC_LOG_CAP_BYTES',
    default: String(1024 * 1024),
    help: 'Log bytes kept per run',
    doc: 'Log bytes kept per run; beyond it the run says `logs_truncated`',
  },
  'engine-port': {
    type: 'string',
    env: 'PERIODIC_ENGINE_PORT',
    default: '49134',
    help: 'Engine worker port for iii SDK workers (0: ephemeral; ephemeral too when --port is 0)',
  },
  'engine-timeout': {
    type: 'string',
    env: 'PERIODIC_ENGINE_TIMEOUT_MS',
    default: '30000',
    help: 'How long the engine waits for a function before answering timeout, ms',
  },
  'engine-rate-limit': {
    type: 'string',
    env: 'PERIODIC_ENGINE_RATE_LIMIT',
    default: '2000',
    help: 'Engine calls per second per worker key (0: off; admin key exempt)',
    doc: "Calls per second per worker key on the engine's API-key port (`0`: off; the bootstrap admin key is exempt); beyond it a call is answered `RATE_LIMITED` and the connection stays open",
  },
  'engine-rate-limit-burst': {
    type: 'string',
    env: 'PERIODIC_ENGINE_RATE_LIMIT_BURST',
    default: '2x rate',
    help: 'Engine calls a worker key may make at once before the rate applies',
  },
  'iii-config': {
    type: 'string',
    env: 'PERIODIC_III_CONFIG',
    default: '',
    help: 'An iii engine config.yaml to run: its worker ports, RBAC and iii-http port',
    doc: 'An iii engine `config.yaml` to run: its worker ports, RBAC and `iii-http` port (see [iii drop-in](engine/iii-drop-in.md))',
  },
  'http-functions-allowlist': {
    type: 'string',
    env: 'PERIODIC_HTTP_FUNCTIONS_ALLOWLIST',
    default: '',
    help: 'Comma-separated URL prefixes or hosts that HTTP-invoked functions may call',
    doc: 'Comma-separated URL prefixes or hosts that HTTP-invoked functions may call (see [HTTP-invoked functions](engine/functions.md#http-invoked-functions))',
  },
  'stream-auth-function': {
    type: 'string',
    env: 'PERIODIC_STREAM_AUTH_FUNCTION',
    default: '',
    help: 'Function id that authorizes stream clients at /streams/{circle} (unset: a read key)',
    doc: 'A function id of the circle that authorizes stream clients at `/streams/{circle}` (`StreamAuthInput` → `StreamAuthResult`); unset: a circle key with `read` (see [streams](engine/streams.md))',
  },
  chromium: {
    type: 'string',
    env: 'PERIODIC_CHROMIUM_PATH',
    default: '/usr/bin/chromium',
    help: 'Chromium executable for browser elements',
  },
  'browser-max-sessions': {
    type: 'string',
    env: 'PERIODIC_BROWSER_MAX_SESSIONS',
    default: '4',
    help: 'Live browser sessions per server (each is a Chromium process)',
    doc: 'Live browser sessions per server (each is a Chromium process; 429 `BROWSER_SESSION_LIMIT` beyond)',
  },
  'browser-user': {
    type: 'string',
    env: 'PERIODIC_BROWSER_USER',
    default: 'periodic-browser',
    help: 'Unprivileged user Chromium runs as when the server is root (created with useradd if missing)',
  },
  'outbound-allow': {
    type: 'string',
    env: 'PERIODIC_OUTBOUND_ALLOW',
    default: '',
    help: 'Comma-separated hosts, host:port, IPs or CIDRs that server-side fetches may reach though loopback/private',
    doc: 'Comma-separated hosts, `host:port`, IP addresses or CIDR blocks that server-side fetches (git, browsers, HTTP functions) may reach though loopback or private (see [security](operations/security.md#outbound-requests))',
  },
  'browser-idle-timeout': {
    type: 'string',
    env: 'PERIODIC_BROWSER_IDLE_TIMEOUT_MS',
    default: '1800000',
    help: 'Stop a browser session unused for this many ms (0: never)',
  },
  'run-lease': {
    type: 'string',
    env: 'PERIODIC_RUN_LEASE_MS',
    default: '10000',
    help: "A node's runs are taken over by another node when its heartbeat is this many ms old",
  },
  ...QUOTA_OPTIONS,
  ...SMTP_OPTIONS,
} as const

/** Settings read from the environment only (no flag): config.ts reads each by this name. */
export const ENV_ONLY_OPTIONS = [
  {
    env: 'PERIODIC_ADMIN_KEY',
    default: 'generated',
    doc: 'Bootstrap admin key (at least 16 characters, no whitespace); when unset one is generated on first start into `<data-dir>/admin.key` (mode 0600) and printed once',
  },
  {
    env: 'PERIODIC_MASTER_KEY',
    default: 'generated',
    doc: 'Master key(s) for secrets at rest: `id:base64[,id:base64]` (first is current) or one base64 key; when unset `<data-dir>/master-keys.json` is generated (mode 0600). See [master key rotation](elements/cookie-jar.md#master-key-rotation)',
  },
  {
    env: 'DATABASE_URL',
    default: 'unset',
    doc: 'A `postgres://` URL switches storage from embedded SQLite to PostgreSQL (see [storage](operations/storage.md))',
  },
  {
    env: 'REDIS_URL',
    default: 'unset',
    doc: 'A `redis://` URL: WebSocket send, broadcast, close and presence across nodes; one holder per driven link; engine change events, pub/sub and function calls across nodes (see [Redis](operations/redis.md))',
  },
  {
    env: 'PERIODIC_REDIS_PREFIX',
    default: 'periodic:',
    doc: 'Prefix of every Redis key and channel (1–64 of letters, digits, `_ : . -`), so installations sharing a Redis never cross',
  },
  {
    env: 'PERIODIC_PIP_INDEX_URL',
    default: "pip's",
    doc: 'Package index for Python dependency layers',
  },
  {
    env: 'PERIODIC_PIP_FIND_LINKS',
    default: 'unset',
    doc: 'A directory of wheels for dependency layers; when set without an index URL, pip runs `--no-index`',
  },
  {
    env: 'PERIODIC_GIT_ALLOW_LOCAL',
    default: 'off',
    doc: 'Let git sources name local paths and `file://` (`1`, `true` or `yes`; off: network remotes only)',
  },
  {
    env: 'PERIODIC_GIT_ALLOW_SSH',
    default: 'off',
    doc: "Let git sources clone over ssh (`ssh://`, `user@host:path`) with the server user's keys (`1`, `true` or `yes`)",
  },
] as const
