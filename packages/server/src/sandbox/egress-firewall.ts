// The sandbox's own egress filter: an nftables table inside the sandbox's network namespace.
// It refuses what the outbound-address policy refuses for server-side fetches — loopback,
// private, link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges,
// unique-local and site-local IPv6, and the IPv6 forms that embed IPv4 — so tenant code cannot
// reach the machine's neighbours either. slirp's DNS (10.0.2.3:53) stays open; addresses and
// CIDR blocks of PERIODIC_OUTBOUND_ALLOW are let through, on their port only when the entry
// names one (host names cannot be: the filter sees only addresses). Refusals are
// `admin-prohibited`, so code sees "no route to host" at once.
//
// The filter is loaded from inside the sandbox, by a shell that bwrap starts with CAP_NET_ADMIN
// and that then execs setpriv to drop every capability before the code runs. That works the
// same whether the server is root (no user namespace) or a normal user: in the latter case the
// namespace belongs to bwrap's user namespace, where the server, outside it, cannot run nft
// (exec drops the capabilities setns grants to a non-root uid).
import { isIP } from 'node:net'
import { SLIRP_DNS } from './slirp-network.ts'

const DENY_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/3',
]

const DENY_V6 = [
  '::/96',
  '::ffff:0:0/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/32',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
]

/** An allow-list entry the filter can enforce: an address or CIDR block, maybe one port. */
export interface AllowedBlock {
  block: string
  port?: number
}

/** Address and CIDR entries of the operator's allow-list, by family (host names dropped). */
export function allowedBlocks(allow: readonly string[]): { v4: AllowedBlock[]; v6: AllowedBlock[] } {
  const out = { v4: new Map<string, AllowedBlock>(), v6: new Map<string, AllowedBlock>() }
  for (const raw of allow) {
    const text = raw.trim()
    const cidr = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(text)
    const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text)
    const v4Port = /^([\d.]+)(?::(\d{1,5}))?$/.exec(text)
    const address = cidr?.[1] ?? bracketed?.[1] ?? v4Port?.[1] ?? text
    const port = cidr ? undefined : (bracketed?.[2] ?? v4Port?.[2])
    const family = isIP(address)
    const entry: AllowedBlock = {
      block: cidr ? `${address}/${cidr[2]}` : address,
      ...(port ? { port: Number(port) } : {}),
    }
    const key = `${entry.block} ${entry.port ?? ''}`
    if (family === 4) out.v4.set(key, entry)
    else if (family === 6) out.v6.set(key, entry)
  }
  return { v4: [...out.v4.values()], v6: [...out.v6.values()] }
}

/** The accept rules for allow-listed blocks of one family (`ip` or `ip6`). */
function acceptRules(family: 'ip' | 'ip6', blocks: AllowedBlock[]): string[] {
  const anyPort = blocks.filter((b) => b.port === undefined).map((b) => b.block)
  return [
    ...(anyPort.length ? [`    ${family} daddr { ${anyPort.join(', ')} } accept`] : []),
    ...blocks
      .filter((b) => b.port !== undefined)
      .map((b) => `    ${family} daddr ${b.block} meta l4proto { tcp, udp } th dport ${b.port} accept`),
  ]
}

/** The nftables ruleset for one sandbox namespace. */
export function egressRuleset(allow: readonly string[] = []): string {
  const ok = allowedBlocks(allow)
  const set = (xs: string[]) => `{ ${xs.join(', ')} }`
  return [
    'table inet periodic_egress {',
    '  chain out {',
    '    type filter hook output priority 0; policy accept;',
    '    oifname "lo" accept',
    `    ip daddr ${SLIRP_DNS} meta l4proto { tcp, udp } th dport 53 accept`,
    ...acceptRules('ip', ok.v4),
    ...acceptRules('ip6', ok.v6),
    `    ip daddr ${set(DENY_V4)} reject with icmpx type admin-prohibited`,
    `    ip6 daddr ${set(DENY_V6)} reject with icmpx type admin-prohibited`,
    '  }',
    '}',
    '',
  ].join('\n')
}

/** How a sandbox ends when its filter could not be loaded (it never runs unfiltered). */
export const FILTER_FAILED_EXIT = 98
const FILTER_FAILED = 'periodic: the sandbox egress filter (nftables) could not be installed'

// $1 nft, $2 the ruleset, then the command (setpriv ... -- code) to exec once it is loaded.
const LOAD_FILTER = `printf '%s' "$2" | "$1" -f - || { echo '${FILTER_FAILED}' >&2; exit ${FILTER_FAILED_EXIT}; }; shift 2; exec "$@"`

/** The argv prefix that loads `ruleset` with `nft` in the sandbox, then runs what follows it. */
export function loadFilterArgv(nft: string, ruleset: string): string[] {
  return ['/bin/sh', '-c', LOAD_FILTER, 'periodic-egress-filter', nft, ruleset]
}
