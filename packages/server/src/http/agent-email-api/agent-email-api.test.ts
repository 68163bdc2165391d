// The agents' email triggers API over real HTTP: aliases created, listed, renamed, disabled and
// deleted; a taken alias is 409, another circle's agent 404, a read key may not create (403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, storageKinds, type TestServer } from '../../../test/test-server.ts'

const AGENT_SPEC = { model: { base_url: 'http://127.0.0.1:9/v1', model: 'scripted' } }

for (const storage of storageKinds())
  describe(`agents' email triggers API (${storage})`, () => {
    let s: TestServer
    const base = '/api/v1/agents/acme%2Ftriage/triggers/email'

    beforeAll(async () => {
      s = await startTestServer({
        storage,
        env: { PERIODIC_MAIL_DOMAIN: 'mail.acme.test', PERIODIC_OUTBOUND_ALLOW: '127.0.0.1' },
      })
      await s.createCircle('acme')
      await s.createCircle('other')
      for (const [circle, slug] of [
        ['acme', 'triage'],
        ['acme', 'second'],
        ['other', 'theirs'],
      ] as const)
        expect(
          (await s.api('POST', `/api/${circle}`, { element_type: 'agent', slug, spec: AGENT_SPEC })).status,
        ).toBe(201)
    })
    afterAll(() => s.close())

    it('creates an alias with its full address, and refuses the same alias again with 409', async () => {
      const made = await s.api('POST', base, { alias: 'Invoices', rate_limit_per_minute: 5 })
      expect(made.status).toBe(201)
      expect(made.body).toMatchObject({
        alias: 'invoices',
        address: 'invoices@mail.acme.test',
        circle: 'acme',
        enabled: true,
        rate_limit_per_minute: 5,
        key_id: 'platform-admin',
      })
      const again = await s.api('POST', '/api/v1/agents/acme%2Fsecond/triggers/email', { alias: 'invoices' })
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('AGENT_EMAIL_ALIAS_TAKEN')
    })

    it('generates an alias from the agent slug when none is given', async () => {
      const made = await s.api('POST', '/api/v1/agents/acme%2Fsecond/triggers/email', {})
      expect(made.status).toBe(201)
      expect(made.body.alias).toMatch(/^second-[0-9a-f]{6}$/)
      expect(made.body.address).toBe(`${made.body.alias}@mail.acme.test`)
    })

    it('refuses an alias that is not a usable local part', async () => {
      for (const alias of ['has space', '-lead', 'a..b', 'postmaster', 'x@y']) {
        const r = await s.api('POST', base, { alias })
        expect(r.status, alias).toBe(400)
        expect(r.body.error.code, alias).toBe('AGENT_EMAIL_INVALID_ALIAS')
      }
    })

    it('gets the trigger with its aliases, switches it off and on', async () => {
      const got = await s.api('GET', base)
      expect(got.status).toBe(200)
      expect(got.body).toMatchObject({ enabled: true, domain: 'mail.acme.test' })
      expect(got.body.aliases.map((a: { alias: string }) => a.alias)).toContain('invoices')
      const off = await s.api('PATCH', base, { enabled: false })
      expect(off.status).toBe(200)
      expect(off.body.enabled).toBe(false)
      expect((await s.api('GET', base)).body.enabled).toBe(false)
      expect((await s.api('PATCH', base, { enabled: true })).body.enabled).toBe(true)
      expect((await s.api('PATCH', base, { enabled: 'yes' })).status).toBe(400)
    })

    it('lists the aliases of the key’s circle only', async () => {
      const theirs = await s.api('POST', '/api/v1/agents/other%2Ftheirs/triggers/email', { alias: 'theirs' })
      expect(theirs.status).toBe(201)
      const key = await s.createKey('acme', ['read'])
      const listed = await s.api('GET', '/api/v1/agents/triggers/email', undefined, { key })
      expect(listed.status).toBe(200)
      expect(listed.body.domain).toBe('mail.acme.test')
      const names = listed.body.aliases.map((a: { alias: string }) => a.alias)
      expect(names).toContain('invoices')
      expect(names).not.toContain('theirs')
      const admin = await s.api('GET', '/api/v1/agents/triggers/email?circle=other')
      expect(admin.body.aliases.map((a: { alias: string }) => a.alias)).toEqual(['theirs'])
    })

    it('renames, re-rates, disables and deletes an alias', async () => {
      const made = await s.api('POST', base, { alias: 'receipts' })
      const path = `${base}/${made.body.id}`
      const renamed = await s.api('PATCH', path, { alias: 'bills', enabled: false, rate_limit_per_minute: 2 })
      expect(renamed.status).toBe(200)
      expect(renamed.body).toMatchObject({
        alias: 'bills',
        address: 'bills@mail.acme.test',
        enabled: false,
        rate_limit_per_minute: 2,
      })
      expect((await s.api('PATCH', path, { alias: 'invoices' })).status).toBe(409)
      expect((await s.api('PATCH', path, {})).status).toBe(400)
      const deleted = await s.api('DELETE', path)
      expect(deleted.status).toBe(200)
      expect(deleted.body).toMatchObject({ deleted: true, alias: { alias: 'bills' } })
      const gone = await s.api('DELETE', path)
      expect(gone.status).toBe(404)
      expect(gone.body.error.code).toBe('AGENT_EMAIL_ALIAS_NOT_FOUND')
      // Free again once deleted.
      expect((await s.api('POST', base, { alias: 'bills' })).status).toBe(201)
    })

    it('answers 404 for another circle’s agent and for an alias of another agent', async () => {
      const key = await s.createKey('acme', ['read', 'write', 'execute'])
      for (const [method, body] of [
        ['GET', undefined],
        ['PATCH', { enabled: false }],
        ['POST', { alias: 'sneaky' }],
      ] as const) {
        const r = await s.api(method, '/api/v1/agents/other%2Ftheirs/triggers/email', body, { key })
        expect(r.status, method).toBe(404)
        expect(r.body.error.code).toBe('AGENT_NOT_FOUND')
      }
      // A bare slug with a circle key; a python element is not an agent.
      expect((await s.api('GET', '/api/v1/agents/triage/triggers/email', undefined, { key })).status).toBe(
        200,
      )
      const theirs = (await s.api('GET', '/api/v1/agents/other%2Ftheirs/triggers/email')).body.aliases[0]
      const cross = await s.api('DELETE', `${base}/${theirs.id}`)
      expect(cross.status).toBe(404)
      expect(cross.body.error.code).toBe('AGENT_EMAIL_ALIAS_NOT_FOUND')
    })

    it('needs write to change and execute to create; read is enough to look', async () => {
      const read = await s.createKey('acme', ['read'])
      const create = await s.api('POST', base, { alias: 'by-reader' }, { key: read })
      expect(create.status).toBe(403)
      expect(create.body.error.details.required_scope).toBe('write')
      expect((await s.api('PATCH', base, { enabled: false }, { key: read })).status).toBe(403)
      expect((await s.api('GET', base, undefined, { key: read })).status).toBe(200)
      const writer = await s.createKey('acme', ['read', 'write'])
      const noExecute = await s.api('POST', base, { alias: 'by-writer' }, { key: writer })
      expect(noExecute.status).toBe(403)
      expect(noExecute.body.error.details.required_scope).toBe('execute')
      const runner = await s.createKey('acme', ['write', 'execute'])
      const made = await s.api('POST', base, { alias: 'by-runner' }, { key: runner })
      expect(made.status).toBe(201)
      expect(made.body.key_id).not.toBe('platform-admin')
      expect((await s.api('GET', base, undefined, { key: null })).status).toBe(401)
    })
  })
