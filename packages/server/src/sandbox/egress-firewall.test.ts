// The sandbox's nftables ruleset from the operator's allow-list, and slirp's resolv.conf: text
// checks (the contract and python-egress.test.ts load them into real namespaces).
import { describe, expect, it } from 'vitest'
import { allowedBlocks, egressRuleset } from './egress-firewall.ts'
import { slirpResolvConf } from './slirp-network.ts'

describe('the sandbox egress ruleset', () => {
  it('lets an address:port entry through on that port only, and a bare address or CIDR on any', () => {
    const rules = egressRuleset([
      '10.1.2.3:5432',
      '10.9.0.0/16',
      '192.168.1.7',
      '[fd00::1]:8080',
      'db.internal',
    ])
    expect(rules).toContain('ip daddr { 10.9.0.0/16, 192.168.1.7 } accept')
    expect(rules).toContain('ip daddr 10.1.2.3 meta l4proto { tcp, udp } th dport 5432 accept')
    expect(rules).toContain('ip6 daddr fd00::1 meta l4proto { tcp, udp } th dport 8080 accept')
    // Names cannot be enforced on addresses: they are left to the server-side policy.
    expect(rules).not.toContain('db.internal')
    // Accepts come before the refusals they except.
    expect(rules.indexOf('dport 5432 accept')).toBeLessThan(rules.indexOf('reject'))
  })

  it('keeps one entry per address and port', () => {
    expect(allowedBlocks(['10.1.2.3', '10.1.2.3', '10.1.2.3:80', '10.1.2.3:80']).v4).toEqual([
      { block: '10.1.2.3' },
      { block: '10.1.2.3', port: 80 },
    ])
  })

  it("hands sandboxes slirp's DNS forwarder in place of the host's name servers", () => {
    const host =
      '# from DHCP\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n'
    expect(slirpResolvConf(host)).toBe(
      '# from DHCP\nsearch corp.example\noptions edns0\nnameserver 10.0.2.3\n',
    )
    expect(slirpResolvConf('')).toBe('nameserver 10.0.2.3\n')
  })
})
