// The outbound-address policy: every literal form of a non-public address is refused (IPv4
// shorthands as URLs normalize them, and every IPv6 form that carries an IPv4 address), names are
// judged by what they resolve to, the allow-list lets named hosts, addresses and blocks through,
// and callers get one generic message while the log gets the detail.
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlatformError } from '../errors.ts'
import { blockedRange } from './ip-ranges.ts'
import { parseAllowEntry } from './outbound-allow-list.ts'
import { BLOCKED_MESSAGE, OutboundPolicy } from './outbound-policy.ts'

const DENIED = [
  '127.0.0.1',
  '127.255.255.254',
  '0.0.0.0',
  '10.1.2.3',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '224.0.0.1',
  '239.255.255.250',
  '255.255.255.255',
  '240.0.0.1',
  '192.0.2.1',
  '198.18.0.1',
  '198.51.100.7',
  '203.0.113.9',
  '192.0.0.8',
  '::',
  '::1',
  'fe80::1',
  'fe80::1%eth0',
  'fc00::1',
  'fd12:3456::1',
  'fec0::1',
  'ff02::1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::ffff:169.254.169.254',
  '::ffff:0:10.0.0.1',
  '::7f00:1',
  '::127.0.0.1',
  '::8.8.8.8',
  '64:ff9b::a9fe:a9fe',
  '64:ff9b::127.0.0.1',
  '64:ff9b:1::1',
  '2002:a9fe:a9fe::',
  '2002:7f00:1::1',
  '2001:0:7f00:1::1',
  '2001:0:808:808::80ff:fffe',
  '2001:db8::1',
  '100::1',
  '[::1]',
]

const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '2606:4700:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
]

describe('the address ranges', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, reserved and every IPv6 form embedding them', () => {
    for (const a of DENIED) expect(blockedRange(a), a).not.toBeNull()
  })

  it('lets public unicast addresses through, also inside IPv4-mapped, NAT64 and 6to4 forms', () => {
    for (const a of PUBLIC) expect(blockedRange(a), a).toBeNull()
  })

  it('names the embedded IPv4 address and its rule', () => {
    expect(blockedRange('64:ff9b::a9fe:a9fe')).toMatch(/NAT64 169\.254\.169\.254: link-local/)
    expect(blockedRange('2002:a9fe:a9fe::')).toMatch(/6to4 169\.254\.169\.254/)
    expect(blockedRange('fec0::1')).toMatch(/site-local/)
  })
})

describe('the policy on URLs', () => {
  const logged: object[] = []
  const policy = new OutboundPolicy([], { warn: (o) => logged.push(o) })

  it('refuses literal hosts in every spelling WHATWG URL normalizes (decimal, hex, octal, short IPv4)', async () => {
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://[::7f00:1]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::]/',
      'http://[fec0::1]/',
      'http://[::ffff:127.0.0.1]:8080/',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      await expect(policy.checkUrl(url), url).rejects.toMatchObject({
        code: 'OUTBOUND_ADDRESS_BLOCKED',
        status: 403,
        message: BLOCKED_MESSAGE,
      })
      expect(() => policy.checkHostNow(new URL(url).hostname, 80), url).toThrow(PlatformError)
    }
  })

  it('logs host, address and rule, and tells the caller nothing of them', async () => {
    logged.length = 0
    const err = await policy.checkUrl('http://10.9.8.7:2222/x').catch((e: PlatformError) => e)
    expect(err).toBeInstanceOf(PlatformError)
    expect(JSON.stringify((err as PlatformError).toJSON())).not.toContain('10.9.8.7')
    expect(logged).toEqual([
      {
        outbound: {
          host: '10.9.8.7',
          port: 2222,
          address: '10.9.8.7',
          rule: expect.stringMatching(/private/),
        },
      },
    ])
  })

  it('judges a name by every address it resolves to (one denied address refuses it)', async () => {
    const fake = new OutboundPolicy([], undefined, async (host) =>
      host === 'mixed.example'
        ? [
            { address: '93.184.216.34', family: 4 },
            { address: '10.0.0.1', family: 4 },
          ]
        : [{ address: '93.184.216.34', family: 4 }],
    )
    await expect(fake.checkUrl('https://mixed.example/')).rejects.toMatchObject({
      code: 'OUTBOUND_ADDRESS_BLOCKED',
    })
    await expect(fake.checkUrl('https://fine.example/')).resolves.toMatchObject({
      port: 443,
      allowedBy: null,
    })
    // The real resolver: localhost is loopback after DNS.
    await expect(policy.checkUrl('http://localhost:9/')).rejects.toMatchObject({
      code: 'OUTBOUND_ADDRESS_BLOCKED',
    })
  })

  it('accepts at write time a name that does not resolve yet, and refuses one resolving to loopback', async () => {
    await expect(policy.checkUrlAtWrite('https://no-such-host.invalid/')).resolves.toBeUndefined()
    await expect(policy.checkUrlAtWrite('http://localhost/')).rejects.toMatchObject({
      code: 'OUTBOUND_ADDRESS_BLOCKED',
    })
  })
})

describe('the allow-list', () => {
  it('lets a named host, host:port, an address or a CIDR block through, and nothing beside them', async () => {
    const p = new OutboundPolicy(
      ['localhost:8080, 10.1.0.0/16', '[::1]', '*.corp.test'],
      undefined,
      async () => [{ address: '10.2.0.1', family: 4 }],
    )
    await expect(p.checkUrl('http://localhost:8080/')).resolves.toMatchObject({ allowedBy: 'localhost:8080' })
    await expect(p.checkUrl('http://localhost:8081/')).rejects.toMatchObject({
      code: 'OUTBOUND_ADDRESS_BLOCKED',
    })
    await expect(p.checkUrl('http://10.1.200.3/')).resolves.toMatchObject({ allowedBy: '10.1.0.0/16' })
    await expect(p.checkUrl('http://10.2.0.1/')).rejects.toMatchObject({ code: 'OUTBOUND_ADDRESS_BLOCKED' })
    await expect(p.checkUrl('http://[::1]:3000/')).resolves.toMatchObject({ allowedBy: '[::1]' })
    await expect(p.checkUrl('https://db.corp.test/')).resolves.toMatchObject({ allowedBy: '*.corp.test' })
    await expect(p.checkUrl('https://corp.test.evil/')).rejects.toMatchObject({
      code: 'OUTBOUND_ADDRESS_BLOCKED',
    })
  })

  it('refuses malformed entries at configuration time', () => {
    for (const bad of ['', 'http://x/', '10.0.0.0/33', 'a b', 'host:99999', '*'])
      expect(() => parseAllowEntry(bad), bad).toThrow(/outbound allow-list entry/)
  })
})

describe('the connect-time lookup', () => {
  let server: ReturnType<typeof createServer>
  let port = 0
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('inside'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const get = (policy: OutboundPolicy) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: 'localhost', port, family: 4, lookup: policy.lookupFor(port) }, (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve(body))
      })
      req.on('error', reject)
      req.end()
    })

  it('refuses the connection when the name resolves to loopback, and connects when it is allowed', async () => {
    await expect(get(new OutboundPolicy())).rejects.toMatchObject({ code: 'OUTBOUND_ADDRESS_BLOCKED' })
    await expect(get(new OutboundPolicy(['127.0.0.1']))).resolves.toBe('inside')
  })
})
