// The cookie rules every way into a jar shares: shapes, identity, sameSite, expiry, domains.
import { describe, expect, it } from 'vitest'
import { cookieInDomain, parseDomainFilter } from './domain-filter.ts'
import { checkCookieDomain, detectFormat, normalizeCookies } from './jar-cookie.ts'

const one = (raw: object, format?: 'chrome' | 'playwright' | 'cdp') => normalizeCookies([raw], format)

describe('normalizeCookies', () => {
  it('keeps host-only and domain cookies of one name apart, and lets a later duplicate win', () => {
    const r = normalizeCookies([
      { name: 'x', value: '1', domain: 'Example.com' },
      { name: 'x', value: '2', domain: '.example.com' },
      { name: 'x', value: '3', domain: 'example.com' },
    ])
    expect(r.cookies.map((c) => [c.domain, c.value])).toEqual([
      ['.example.com', '2'],
      ['example.com', '3'],
    ])
    expect(r.warnings).toEqual([
      expect.objectContaining({ index: 2, message: expect.stringMatching(/later record wins/) }),
    ])
  })

  it('maps sameSite aliases and never turns a missing one into lax', () => {
    const same = (v: unknown) =>
      one({ name: 'a', value: 'b', domain: 'example.com', sameSite: v }).cookies[0]?.sameSite
    expect(same(undefined)).toBe('unspecified')
    expect(same(null)).toBe('unspecified')
    expect(same('none')).toBe('no_restriction')
    expect(same('None')).toBe('no_restriction')
    expect(same('no_restriction')).toBe('no_restriction')
    expect(same('Lax')).toBe('lax')
    expect(same('strict')).toBe('strict')
    expect(same('unspecified')).toBe('unspecified')
    expect(one({ name: 'a', value: 'b', domain: 'example.com', sameSite: 'always' }).dropped[0]?.reason).toBe(
      'same_site_invalid',
    )
  })

  it('reads expirationDate in seconds, keeps fractions, treats <= 0 as session and refuses milliseconds', () => {
    const exp = (v: unknown) => one({ name: 'a', value: 'b', domain: 'example.com', expirationDate: v })
    expect(exp(1767225600.25).cookies[0]?.expirationDate).toBe(1767225600.25)
    expect(exp(null).cookies[0]).not.toHaveProperty('expirationDate')
    const zero = exp(0)
    expect(zero.cookies[0]).not.toHaveProperty('expirationDate')
    expect(zero.warnings[0]?.message).toMatch(/session/)
    expect(exp(-5).cookies[0]).not.toHaveProperty('expirationDate')
    expect(exp(253402300799).cookies).toHaveLength(1)
    expect(exp(253402300800).dropped[0]).toMatchObject({
      reason: 'expiration_in_milliseconds',
      cookie: { name: 'a' },
    })
    expect(exp('tomorrow').dropped[0]?.reason).toBe('expiration_not_a_number')
  })

  it('reads Playwright and CDP expiry: -1 and session:true are session cookies', () => {
    const pw = one(
      { name: 'a', value: 'b', domain: 'example.com', expires: -1, sameSite: 'Lax' },
      'playwright',
    )
    expect(pw.cookies[0]).not.toHaveProperty('expirationDate')
    expect(pw.cookies[0]).not.toHaveProperty('expires')
    const cdp = one(
      { name: 'a', value: 'b', domain: 'example.com', expires: 1900000000, session: true, size: 2 },
      'cdp',
    )
    expect(cdp.cookies[0]).not.toHaveProperty('expirationDate')
    expect(cdp.cookies[0]).not.toHaveProperty('size')
    expect(
      one({ name: 'a', value: 'b', domain: 'x.com', expires: 1900000000.5 }, 'cdp').cookies[0]
        ?.expirationDate,
    ).toBe(1900000000.5)
  })

  it('detects the shape from the records', () => {
    expect(detectFormat([{ name: 'a', expirationDate: 1 }])).toBe('chrome')
    expect(detectFormat([{ name: 'a', storeId: '0' }, { expires: 1 }])).toBe('chrome')
    expect(detectFormat([{ name: 'a', expires: 1, size: 3 }])).toBe('cdp')
    expect(detectFormat([{ name: 'a', expires: 1 }])).toBe('playwright')
    expect(detectFormat([{ name: 'a', value: 'b', domain: 'x.com' }])).toBe('chrome')
  })

  it('keeps extra fields verbatim but bounds their size, and drops derived Chrome fields', () => {
    const r = one({
      name: 'a',
      value: 'b',
      domain: 'example.com',
      storeId: '0',
      hostOnly: true,
      session: true,
      note: { k: [1] },
    })
    expect(r.cookies[0]).toEqual({
      name: 'a',
      value: 'b',
      domain: 'example.com',
      path: '/',
      secure: false,
      httpOnly: false,
      sameSite: 'unspecified',
      storeId: '0',
      note: { k: [1] },
    })
    expect(
      one({ name: 'a', value: 'b', domain: 'example.com', blob: 'x'.repeat(5000) }).dropped[0]?.reason,
    ).toBe('extra_fields_too_large')
    // hostOnly:false on a dotless domain means a domain cookie.
    expect(one({ name: 'a', value: 'b', domain: 'example.com', hostOnly: false }).cookies[0]?.domain).toBe(
      '.example.com',
    )
  })

  it('enforces the size limits and refuses what a Cookie header cannot carry', () => {
    const reason = (raw: object) => one(raw).dropped[0]?.reason
    expect(reason({ name: 'n'.repeat(256), value: 'v', domain: 'example.com' })).toBeUndefined()
    expect(reason({ name: 'n'.repeat(257), value: 'v', domain: 'example.com' })).toBe('name_too_long')
    expect(reason({ name: 'n', value: 'v'.repeat(8192), domain: 'example.com' })).toBeUndefined()
    expect(reason({ name: 'n', value: 'v'.repeat(8193), domain: 'example.com' })).toBe('value_too_long')
    expect(
      reason({
        name: 'n',
        value: 'v',
        domain: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.com`,
      }),
    ).toBe('domain_too_long')
    expect(reason({ name: 'a=b', value: 'v', domain: 'example.com' })).toBe('name_invalid_characters')
    expect(reason({ name: 'a', value: 'v\n', domain: 'example.com' })).toBe('value_invalid_characters')
    expect(reason({ name: '', value: '', domain: 'example.com' })).toBe('name_and_value_empty')
    expect(reason({ value: 'v', domain: 'example.com' })).toBe('name_missing')
    expect(reason({ name: 'a', value: 'v' })).toBe('domain_missing')
    expect(reason({ name: 'a', value: 'v', domain: 'example.com', secure: 'yes' })).toBe(
      'secure_not_a_boolean',
    )
    expect(reason([1, 2])).toBe('not_an_object')
  })
})

describe('cookie domains', () => {
  it('refuses public suffixes and domain cookies on IP addresses, allows hosts, IPs and localhost', () => {
    const ok = (d: string) => checkCookieDomain(d).ok
    for (const d of [
      'example.com',
      '.example.com',
      'www.example.co.uk',
      '.example.co.uk',
      '127.0.0.1',
      'localhost',
      'app.localhost',
      '[::1]',
    ])
      expect(ok(d), d).toBe(true)
    for (const d of ['com', '.com', 'co.uk', '.co.uk', '.127.0.0.1', 'github.io', 'exa mple.com', ''])
      expect(ok(d), d).toBe(false)
  })

  it('filters by RFC 6265 domain match', () => {
    const f = parseDomainFilter('LinkedIn.com')
    expect(f).toBe('linkedin.com')
    expect(parseDomainFilter('.linkedin.com')).toBe('linkedin.com')
    for (const d of ['.linkedin.com', 'linkedin.com', 'www.linkedin.com', '.www.linkedin.com'])
      expect(cookieInDomain({ domain: d }, f), d).toBe(true)
    for (const d of ['evillinkedin.com', '.evillinkedin.com', 'linkedin.com.evil.org', '.com'])
      expect(cookieInDomain({ domain: d }, f), d).toBe(false)
    expect(() => parseDomainFilter('a b')).toThrow(/host name/)
    expect(parseDomainFilter('')).toBeUndefined()
  })
})
