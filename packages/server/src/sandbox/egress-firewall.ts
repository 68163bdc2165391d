// The sandbox's own egress filter: an nftables table inside the sandbox's network namespace,
// installed by the server (host root) after slirp4netns attaches and before the code starts.
// It refuses what the outbound-address policy refuses for server-side fetches — loopback,
// private, link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges,
// unique-local and site-local IPv6, and the IPv6 forms that embed IPv4 — so tenant code cannot
// reach the machine's neighbours either. slirp's DNS (10.0.2.3:53) stays open; addresses and
// CIDR blocks of PERIODIC_OUTBOUND_ALLOW are let through (host names cannot be: the filter
// sees only addresses). Refusals are `admin-prohibited`, so code sees "no route to host" at once.
import { spawn } from 'node:child_process'
import { isIP } from 'node:net'

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

const SLIRP_DNS = '10.0.2.3'

/** Address and CIDR entries of the operator's allow-list, by family (names and ports dropped). */
export function allowedBlocks(allow: readonly string[]): { v4: string[]; v6: string[] } {
  const out = { v4: [] as string[], v6: [] as string[] }
  for (const raw of allow) {
    const text = raw.trim()
    const cidr = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(text)
    const address =
      cidr?.[1] ?? /^\[([^\]]+)\]/.exec(text)?.[1] ?? /^([\d.]+)(:\d+)?$/.exec(text)?.[1] ?? text
    const family = isIP(address)
    const block = cidr ? `${address}/${cidr[2]}` : address
    if (family === 4) out.v4.push(block)
    else if (family === 6) out.v6.push(block)
  }
  return { v4: [...new Set(out.v4)], v6: [...new Set(out.v6)] }
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
    ...(ok.v4.length ? [`    ip daddr ${set(ok.v4)} accept`] : []),
    ...(ok.v6.length ? [`    ip6 daddr ${set(ok.v6)} accept`] : []),
    `    ip daddr ${set(DENY_V4)} reject with icmpx type admin-prohibited`,
    `    ip6 daddr ${set(DENY_V6)} reject with icmpx type admin-prohibited`,
    '  }',
    '}',
    '',
  ].join('\n')
}

/** Installs `ruleset` in the network namespace of `pid`; false when it could not be. */
export function applyEgressFirewall(
  nsenter: string,
  nft: string,
  pid: string,
  ruleset: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn(nsenter, [`--net=/proc/${pid}/ns/net`, nft, '-f', '-'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    p.once('error', () => resolve(false))
    p.once('exit', (code) => resolve(code === 0))
    p.stdin.on('error', () => {})
    p.stdin.end(ruleset)
  })
}
