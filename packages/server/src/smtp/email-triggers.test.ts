// Agents' email triggers over real SMTP (nodemailer to the server's listener on an ephemeral
// port): a message to an alias starts an agent run with the mail as input and the attachment as
// an input file; unknown, disabled and revoked recipients are refused at RCPT TO (550, no run);
// the per-alias rate answers 451 and an oversized message 552.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createTransport, type SendMailOptions } from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScriptedModelServer, startScriptedModelServer } from '../../test/scripted-model-server.ts'
import { startTestServer, storageKinds, type TestServer } from '../../test/test-server.ts'
import { tinyPdf } from './email-test-helpers.ts'

const DOMAIN = 'mail.acme.test'

type SmtpFailure = Error & { responseCode?: number; response?: string; command?: string }

for (const storage of storageKinds())
  describe(`email triggers over SMTP (${storage})`, () => {
    let s: TestServer
    let send: (mail: SendMailOptions) => Promise<{ response: string }>
    let model: ScriptedModelServer

    const alias = async (agent: string, body: object, key?: string) => {
      const r = await s.api('POST', `/api/v1/agents/acme%2F${agent}/triggers/email`, body, key ? { key } : {})
      expect(r.status).toBe(201)
      return r.body as { id: string; address: string }
    }
    const runsOf = async (agent: string) =>
      (await s.api('GET', `/api/v1/runs?target=acme/${agent}&limit=50`)).body.runs as Array<{ id: string }>
    const failure = async (mail: SendMailOptions): Promise<SmtpFailure> => {
      const err = await send(mail).then(
        () => undefined,
        (e: SmtpFailure) => e,
      )
      if (!err) throw new Error('the message was accepted')
      return err
    }

    beforeAll(async () => {
      // Stands in for the external model: answers every call at once with a final answer.
      model = await startScriptedModelServer(() => ({ content: 'filed' }))
      s = await startTestServer({
        storage,
        env: {
          PERIODIC_SMTP_PORT: '0',
          PERIODIC_MAIL_DOMAIN: DOMAIN,
          PERIODIC_SMTP_MAX_BYTES: '65536',
          // The scripted model listens on loopback.
          PERIODIC_OUTBOUND_ALLOW: '127.0.0.1',
        },
      })
      const port = s.platform.smtp!.port
      const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
      send = (mail) => transport.sendMail({ from: 'alice@example.com', ...mail })
      await s.createCircle('acme')
      const spec = { model: { base_url: model.baseUrl, model: 'scripted' } }
      for (const slug of ['triage', 'quiet', 'other'])
        expect((await s.api('POST', '/api/acme', { element_type: 'agent', slug, spec })).status).toBe(201)
    })
    afterAll(async () => {
      await s?.close()
      await model?.close()
    })

    it('starts an agent run with the message as input and the PDF as an input file', async () => {
      const { address } = await alias('triage', { alias: 'invoices' })
      expect(address).toBe(`invoices@${DOMAIN}`)
      const pdf = tinyPdf()
      const sent = await send({
        to: address,
        cc: 'bob@example.com',
        subject: 'Invoice 42',
        text: 'Please file the attached invoice.',
        html: '<p>Please file the attached invoice.</p>',
        messageId: '<inv-42@example.com>',
        attachments: [{ filename: 'invoice.pdf', content: pdf, contentType: 'application/pdf' }],
      })
      const runId = /run ([0-9a-f-]{36})/.exec(sent.response)?.[1]
      expect(sent.response).toMatch(/^250 /)
      expect(runId).toBeDefined()
      const run = (await s.api('GET', `/api/v1/runs/${runId}?expand=input,debug`)).body
      expect(run.trigger).toBe('email')
      expect(run.input).toMatchObject({
        from: 'alice@example.com',
        to: [address],
        cc: ['bob@example.com'],
        subject: 'Invoice 42',
        text: 'Please file the attached invoice.',
        html: '<p>Please file the attached invoice.</p>',
        message_id: '<inv-42@example.com>',
        attachments: [
          {
            filename: 'invoice.pdf',
            content_type: 'application/pdf',
            size: pdf.length,
            path: 'input/invoice.pdf',
          },
        ],
      })
      expect(typeof run.input.date).toBe('string')
      expect(run.debug.trigger_info).toMatchObject({
        key_id: 'platform-admin',
        alias: address,
        message_id: '<inv-42@example.com>',
      })
      const files = (await s.api('GET', `/api/v1/runs/${runId}/files`)).body.files
      expect(files).toEqual([expect.objectContaining({ name: 'invoice.pdf', size: pdf.length })])
      expect(readFileSync(join(s.dataDir, 'runs', runId!, 'input', 'invoice.pdf')).equals(pdf)).toBe(true)
      // The agent ran: the model was sent the message, and its answer is the run's output.
      const done = (await s.api('GET', `/api/v1/runs/${runId}?wait=30`)).body
      expect(done.status).toBe('succeeded')
      expect(JSON.stringify(model.requests.map((r) => r.body.messages))).toContain(
        'Please file the attached invoice.',
      )
    })

    it('starts one run per alias when a message names two', async () => {
      const a = await alias('triage', { alias: 'first' })
      const b = await alias('other', { alias: 'second' })
      const before = (await runsOf('triage')).length + (await runsOf('other')).length
      const sent = await send({ to: [a.address, b.address], subject: 'both', text: 'hi' })
      expect(sent.response).toMatch(/runs [0-9a-f-]{36}, [0-9a-f-]{36}/)
      expect((await runsOf('triage')).length + (await runsOf('other')).length).toBe(before + 2)
    })

    it('refuses an unknown recipient at RCPT TO with 550 5.1.1 and starts nothing', async () => {
      const before = (await s.api('GET', '/api/v1/runs?limit=200')).body.runs.length
      for (const to of [`nobody@${DOMAIN}`, 'invoices@elsewhere.test']) {
        const err = await failure({ to, subject: 'x', text: 'x' })
        expect(err.responseCode, to).toBe(550)
        expect(err.command, to).toBe('RCPT TO')
        expect(err.response, to).toMatch(/^550 5\.1\.1 /)
      }
      expect((await s.api('GET', '/api/v1/runs?limit=200')).body.runs.length).toBe(before)
    })

    it('refuses mail while the agent’s trigger or the alias is off', async () => {
      const { id, address } = await alias('quiet', { alias: 'quiet' })
      expect(
        (await s.api('PATCH', '/api/v1/agents/acme%2Fquiet/triggers/email', { enabled: false })).status,
      ).toBe(200)
      const off = await failure({ to: address, text: 'x' })
      expect(off.responseCode).toBe(550)
      expect(off.response).toMatch(/email trigger .* is off/)
      await s.api('PATCH', '/api/v1/agents/acme%2Fquiet/triggers/email', { enabled: true })
      await s.api('PATCH', `/api/v1/agents/acme%2Fquiet/triggers/email/${id}`, { enabled: false })
      expect((await failure({ to: address, text: 'x' })).response).toMatch(/^550 5\.1\.1 .*alias is disabled/)
      expect(await runsOf('quiet')).toEqual([])
    })

    it('refuses mail to an alias whose creator key was revoked', async () => {
      const key = await s.createKey('acme', ['read', 'write', 'execute'])
      const { address } = await alias('quiet', { alias: 'revocable' }, key)
      const keys = (await s.api('GET', '/api/acme/ops/api_keys')).body.api_keys
      const keyId = keys.find((k: { name: string }) => k.name === 'test read,write,execute').id
      expect((await s.api('DELETE', `/api/acme/ops/api_keys/${keyId}`)).status).toBe(200)
      const err = await failure({ to: address, text: 'x' })
      expect(err.responseCode).toBe(550)
      expect(err.response).toMatch(/revoked/)
      expect(await runsOf('quiet')).toEqual([])
    })

    it('answers 451 4.7.1 beyond the alias’s rate, a temporary refusal', async () => {
      const { address } = await alias('other', { alias: 'slow', rate_limit_per_minute: 1 })
      await send({ to: address, text: 'first' })
      const err = await failure({ to: address, text: 'second' })
      expect(err.responseCode).toBe(451)
      expect(err.response).toMatch(/^451 4\.7\.1 .*at most 1 message a minute/)
    })

    it('refuses a message over the size limit with 552', async () => {
      const { address } = await alias('other', { alias: 'big' })
      const before = (await runsOf('other')).length
      const err = await failure({
        to: address,
        text: 'x',
        attachments: [{ filename: 'big.bin', content: Buffer.alloc(100_000, 7) }],
      })
      expect(err.responseCode).toBe(552)
      expect((await runsOf('other')).length).toBe(before)
    })
  })
