// Which IP addresses a server-side fetch must never reach: loopback, private, link-local, CGNAT,
// multicast, reserved, unique-/site-local IPv6, and every IPv6 form that carries an IPv4 address
// inside it (mapped, translated, NAT64, 6to4, Teredo), judged by the IPv4 address it carries.
// Built on node:net (isIP, BlockList) rather than ipaddr.js, which is only a transitive
// dependency here; the one thing node lacks, the 16 bytes of an IPv6 address, is expandV6.
import { BlockList, isIP } from 'node:net'

type Rule = readonly [name: string, net: string, bits: number]

const V4_RULES: readonly Rule[] = [
  ['unspecified (0.0.0.0/8)', '0.0.0.0', 8],
  ['private (10.0.0.0/8)', '10.0.0.0', 8],
  ['carrier-grade NAT (100.64.0.0/10)', '100.64.0.0', 10],
  ['loopback (127.0.0.0/8)', '127.0.0.0', 8],
  ['link-local (169.254.0.0/16)', '169.254.0.0', 16],
  ['private (172.16.0.0/12)', '172.16.0.0', 12],
  ['IETF protocol assignments (192.0.0.0/24)', '192.0.0.0', 24],
  ['documentation (192.0.2.0/24)', '192.0.2.0', 24],
  ['6to4 relay anycast (192.88.99.0/24)', '192.88.99.0', 24],
  ['private (192.168.0.0/16)', '192.168.0.0', 16],
  ['benchmarking (198.18.0.0/15)', '198.18.0.0', 15],
  ['documentation (198.51.100.0/24)', '198.51.100.0', 24],
  ['documentation (203.0.113.0/24)', '203.0.113.0', 24],
  ['multicast (224.0.0.0/4)', '224.0.0.0', 4],
  ['reserved and broadcast (240.0.0.0/4)', '240.0.0.0', 4],
]

/** IPv6 ranges denied outright (the IPv4-embedding ones are handled before these). */
const V6_RULES: readonly Rule[] = [
  ['unspecified (::/128)', '::', 128],
  ['loopback (::1/128)', '::1', 128],
  // Holds IPv4-compatible ::a.b.c.d (deprecated by RFC 4291) and nothing else in use.
  ['reserved, IPv4-compatible (::/8)', '::', 8],
  ['discard-only (100::/64)', '100::', 64],
  ['NAT64 local-use (64:ff9b:1::/48)', '64:ff9b:1::', 48],
  ['IETF protocol assignments (2001::/23)', '2001::', 23],
  ['documentation (2001:db8::/32)', '2001:db8::', 32],
  ['documentation (3fff::/20)', '3fff::', 20],
  ['unique-local (fc00::/7)', 'fc00::', 7],
  ['link-local (fe80::/10)', 'fe80::', 10],
  ['site-local (fec0::/10)', 'fec0::', 10],
  ['multicast (ff00::/8)', 'ff00::', 8],
]

function listOf(rules: readonly Rule[], family: 'ipv4' | 'ipv6'): Array<[string, BlockList]> {
  return rules.map(([name, net, bits]) => {
    const list = new BlockList()
    list.addSubnet(net, bits, family)
    return [name, list]
  })
}

const V4 = listOf(V4_RULES, 'ipv4')
const V6 = listOf(V6_RULES, 'ipv6')
const GLOBAL_UNICAST = new BlockList()
GLOBAL_UNICAST.addSubnet('2000::', 3, 'ipv6')

/** The 16 bytes of an IPv6 address that node:net's isIP already accepted (no zone id). */
export function expandV6(address: string): number[] {
  let text = address
  const tail: number[] = []
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1]
  if (dotted) {
    tail.push(...dotted.split('.').map(Number))
    text = `${text.slice(0, -dotted.length)}0:0`
  }
  const [head = '', rest] = text.split('::')
  const groups = (s: string) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const left = groups(head)
  const right = rest === undefined ? [] : groups(rest)
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff])
  if (tail.length) bytes.splice(12, 4, ...tail)
  return bytes
}

const v4Of = (b: number[]) => b.join('.')

/**
 * The IPv4 address an IPv6 address carries, and the form it carries it in, for the forms that
 * reach an IPv4 host: IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64
 * 64:ff9b::/96, 6to4 2002::/16 (bits 16-47) and Teredo 2001::/32 (server, and the client
 * address stored inverted in the last 32 bits).
 */
export function embeddedV4(bytes: number[]): Array<{ form: string; v4: string }> {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0)
  const last = bytes.slice(12, 16)
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff)
    return [{ form: 'IPv4-mapped', v4: v4Of(last) }]
  if (zero(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zero(10, 12))
    return [{ form: 'IPv4-translated', v4: v4Of(last) }]
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12))
    return [{ form: 'NAT64', v4: v4Of(last) }]
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return [{ form: '6to4', v4: v4Of(bytes.slice(2, 6)) }]
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0 && bytes[3] === 0)
    return [
      { form: 'Teredo server', v4: v4Of(bytes.slice(4, 8)) },
      { form: 'Teredo client', v4: v4Of(last.map((b) => b ^ 0xff)) },
    ]
  return []
}

/**
 * The rule that denies `address` (a bare IPv4 or IPv6 literal, brackets allowed), or null when
 * it is a public unicast address. Anything that is not an IP literal is denied: callers resolve
 * names first.
 */
export function blockedRange(address: string): string | null {
  // A zone id (%eth0) names an interface, not a different address.
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(bare)
  if (family === 4) {
    for (const [name, list] of V4) if (list.check(bare, 'ipv4')) return name
    return null
  }
  if (family !== 6) return 'not an IP address'
  const bytes = expandV6(bare)
  const embedded = embeddedV4(bytes)
  if (embedded.length) {
    for (const { form, v4 } of embedded) {
      const inner = blockedRange(v4)
      if (inner) return `${form} ${v4}: ${inner}`
    }
    return null
  }
  for (const [name, list] of V6) if (list.check(bare, 'ipv6')) return name
  if (!GLOBAL_UNICAST.check(bare, 'ipv6')) return 'not global unicast (outside 2000::/3)'
  return null
}
