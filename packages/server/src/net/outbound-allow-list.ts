// The operator's outbound allow-list (PERIODIC_OUTBOUND_ALLOW): entries that let a fetch reach
// an address the outbound policy would otherwise deny. An entry is a host name (`db.internal`,
// `*.corp.example`), an IP address (`127.0.0.1`, `[::1]`), either with a port
// (`db.internal:5000`, `[::1]:8080`), or a CIDR block (`10.1.0.0/16`, `fd00::/8`).
// A name entry trusts whatever that name resolves to; an address or CIDR entry allows those
// addresses whatever name led to them.
import { BlockList, isIP } from 'node:net'

export interface AllowEntry {
  /** The entry as the operator wrote it (named in the server log when it lets a fetch through). */
  text: string
  /** A host name, lower case, no trailing dot; `*.x` matches every name under x (not x itself). */
  name?: string
  /** Addresses (one, or a CIDR block). */
  addresses?: BlockList
  /** Only this port, when given. */
  port?: number
}

const NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*)$/

/** Parses one entry; throws an Error saying what is wrong (config time). */
export function parseAllowEntry(raw: string): AllowEntry {
  const text = raw.trim()
  const fail = (why: string) => new Error(`outbound allow-list entry "${text.slice(0, 100)}" ${why}`)
  if (!text) throw fail('is empty')
  const cidr = /^([^/]+)\/(\d{1,3})$/.exec(text)
  if (cidr) {
    const [, net = '', bitsText = ''] = cidr
    const bare = net.replace(/^\[|\]$/g, '')
    const family = isIP(bare)
    const bits = Number(bitsText)
    if (!family || bits > (family === 4 ? 32 : 128)) throw fail('is not a CIDR block')
    const addresses = new BlockList()
    addresses.addSubnet(bare, bits, family === 4 ? 'ipv4' : 'ipv6')
    return { text, addresses }
  }
  let host = text
  let port: number | undefined
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text)
  const hostPort = /^([^:]+):(\d{1,5})$/.exec(text)
  if (bracketed) {
    host = bracketed[1] ?? ''
    if (bracketed[2]) port = Number(bracketed[2])
  } else if (hostPort) {
    host = hostPort[1] ?? ''
    port = Number(hostPort[2])
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw fail('has a port outside 1-65535')
  const family = isIP(host)
  if (family) {
    const addresses = new BlockList()
    addresses.addAddress(host, family === 4 ? 'ipv4' : 'ipv6')
    return { text, addresses, ...(port ? { port } : {}) }
  }
  const name = host.toLowerCase().replace(/\.$/, '')
  if (name.length > 253 || !NAME.test(name))
    throw fail('is not a host name, host:port, IP address or CIDR block')
  return { text, name, ...(port ? { port } : {}) }
}

/** Comma-separated entries (the variable's format). */
export function parseAllowList(raw: string): AllowEntry[] {
  return raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map(parseAllowEntry)
}

const portOk = (e: AllowEntry, port: number) => e.port === undefined || e.port === port

/** The name entry that trusts `host` on `port`, if any. */
export function allowedName(
  entries: readonly AllowEntry[],
  host: string,
  port: number,
): AllowEntry | undefined {
  const name = host.toLowerCase().replace(/\.$/, '')
  return entries.find(
    (e) =>
      e.name !== undefined &&
      portOk(e, port) &&
      (e.name.startsWith('*.') ? name.endsWith(e.name.slice(1)) : name === e.name),
  )
}

/** The address or CIDR entry that allows `address` on `port`, if any. */
export function allowedAddress(
  entries: readonly AllowEntry[],
  address: string,
  port: number,
): AllowEntry | undefined {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (!family) return undefined
  return entries.find((e) => e.addresses?.check(bare, family === 4 ? 'ipv4' : 'ipv6') && portOk(e, port))
}
