// The one outbound-address policy every server-side fetch goes through (git sources, browser
// navigation, HTTP-invoked engine functions, and what comes later): a destination is refused when
// any address its host resolves to is loopback, private, link-local, CGNAT, multicast, reserved,
// unique-/site-local, or an IPv6 form carrying such an IPv4 address — unless the operator's
// allow-list names it. Callers see one generic message; the server log gets host, address and rule.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { defineErrorCodes, PlatformError } from '../errors.ts'
import { blockedRange } from './ip-ranges.ts'
import { type AllowEntry, allowedAddress, allowedName, parseAllowList } from './outbound-allow-list.ts'

export const OUTBOUND = defineErrorCodes({
  OUTBOUND_ADDRESS_BLOCKED: {
    status: 403,
    class: 'forbidden',
    retryable: false,
    description:
      'The destination address is not allowed: it is (or resolves to) a loopback, private, link-local or otherwise non-public address. An operator can allow a host with PERIODIC_OUTBOUND_ALLOW.',
  },
})

/** What callers are told; the detail goes to the server log only (no probing of the inside). */
export const BLOCKED_MESSAGE = 'the destination address is not allowed'

export interface OutboundLog {
  warn(o: object, msg?: string): void
}

/** Resolves a host name to every address it has (getaddrinfo, as the connection would). */
export type Resolver = (host: string) => Promise<LookupAddress[]>

const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  )

/** A destination that passed: connect to one of `addresses` (and only those). */
export interface CheckedTarget {
  host: string
  port: number
  addresses: LookupAddress[]
  /** The allow-list entry that let it through, when the policy alone would have refused it. */
  allowedBy: string | null
}

/** How long a write waits for DNS before it passes on to the fetch-time check. */
const WRITE_TIME_DNS_MS = 3000

const DEFAULT_PORTS: Record<string, number> = {
  'http:': 80,
  'https:': 443,
  'ws:': 80,
  'wss:': 443,
  'ssh:': 22,
  'git:': 9418,
}

/** The host (brackets removed) and the effective port of a URL. */
export function hostPortOf(url: URL): { host: string; port: number } {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return { host, port: url.port ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0) }
}

export class OutboundPolicy {
  private readonly entries: readonly AllowEntry[]

  constructor(
    allow: readonly string[] | readonly AllowEntry[] = [],
    private readonly log?: OutboundLog,
    private readonly resolver: Resolver = systemResolver,
  ) {
    this.entries = allow.flatMap((e) => (typeof e === 'string' ? parseAllowList(e) : [e]))
  }

  /** The same rules with no allow-list: every non-public address is refused (iii's block_private_ips). */
  withoutAllowList(): OutboundPolicy {
    return new OutboundPolicy([], this.log, this.resolver)
  }

  /** The refusal callers get; the detail is logged here. */
  blocked(detail: Record<string, unknown>): PlatformError {
    this.log?.warn({ outbound: detail }, 'outbound request refused by the address policy')
    return new PlatformError(OUTBOUND.OUTBOUND_ADDRESS_BLOCKED, BLOCKED_MESSAGE)
  }

  /**
   * Checks what can be known without DNS: a host that is an IP literal is decided here (throws
   * OUTBOUND_ADDRESS_BLOCKED or returns 'allowed'); a name is 'allowed' when an entry names it,
   * else 'needs-dns'.
   */
  checkHostNow(host: string, port: number): 'allowed' | 'needs-dns' {
    const bare = host.replace(/^\[|\]$/g, '')
    if (allowedName(this.entries, bare, port)) return 'allowed'
    if (!isIP(bare.replace(/%.*$/, ''))) return 'needs-dns'
    this.checkAddress(bare, port, bare)
    return 'allowed'
  }

  /** Throws unless `address` (reached as `host`) is public or allow-listed; returns the entry used. */
  checkAddress(address: string, port: number, host: string): string | null {
    const rule = blockedRange(address)
    if (!rule) return null
    const entry = allowedAddress(this.entries, address, port)
    if (entry) return entry.text
    throw this.blocked({ host, port, address, rule })
  }

  /** Resolves `host` and checks every address (one bad address refuses the whole name). */
  async resolveAndCheck(host: string, port: number): Promise<CheckedTarget> {
    const bare = host.replace(/^\[|\]$/g, '')
    const literal = isIP(bare.replace(/%.*$/, ''))
    const byName = allowedName(this.entries, bare, port)
    const addresses = literal ? [{ address: bare, family: literal }] : await this.resolver(bare)
    if (addresses.length === 0)
      throw Object.assign(new Error(`${bare} did not resolve`), { code: 'ENOTFOUND' })
    if (byName) return { host: bare, port, addresses, allowedBy: byName.text }
    let allowedBy: string | null = null
    for (const a of addresses) allowedBy = this.checkAddress(a.address, port, bare) ?? allowedBy
    return { host: bare, port, addresses, allowedBy }
  }

  /** resolveAndCheck for a URL's host and effective port. */
  checkUrl(url: string | URL): Promise<CheckedTarget> {
    const { host, port } = hostPortOf(typeof url === 'string' ? new URL(url) : url)
    return this.resolveAndCheck(host, port)
  }

  /**
   * Write-time check of a URL: literal addresses are decided; a name is resolved and refused when
   * it resolves to a denied address now. A name that does not resolve (yet) passes: the fetch is
   * checked again when it happens.
   */
  checkUrlAtWrite(url: string | URL): Promise<void> {
    const { host, port } = hostPortOf(typeof url === 'string' ? new URL(url) : url)
    return this.checkHostAtWrite(host, port)
  }

  /** checkUrlAtWrite for a host and port. */
  async checkHostAtWrite(host: string, port: number): Promise<void> {
    if (this.checkHostNow(host, port) === 'allowed') return
    let timer: NodeJS.Timeout | undefined
    // A slow resolver must not hold a write: the fetch is checked again anyway.
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, WRITE_TIME_DNS_MS)
    })
    try {
      await Promise.race([this.resolveAndCheck(host, port), late])
    } catch (err) {
      if (err instanceof PlatformError) throw err
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * A connect-time `lookup` for node:http/https/net (and undici's connect.lookup): it resolves
   * once, checks every address and hands exactly those to the socket, so a second resolution
   * (DNS rebinding) can never swap in an address that was not checked.
   */
  lookupFor(port: number): LookupFunction {
    return (hostname, options, callback) => {
      this.resolveAndCheck(hostname, port).then(
        ({ addresses }) => {
          const family = options.family === 4 || options.family === 6 ? options.family : 0
          const usable = family ? addresses.filter((a) => a.family === family) : addresses
          if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable)
          const first = usable[0]
          if (!first)
            return callback(
              Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }),
              '',
              4,
            )
          callback(null, first.address, first.family)
        },
        (err: NodeJS.ErrnoException) => callback(err, '', 4),
      )
    }
  }
}
