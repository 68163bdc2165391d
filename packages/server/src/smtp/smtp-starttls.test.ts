// The SMTP listener's EHLO: SIZE always announced, AUTH never, STARTTLS only with a configured
// certificate — and then a message goes through it encrypted (nodemailer with requireTLS).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTransport } from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../../test/test-server.ts'

/** The lines a server answers to EHLO, over a plain socket. */
function ehlo(port: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let text = ''
    socket.setEncoding('utf8')
    socket.on('error', reject)
    socket.on('data', (chunk: string) => {
      text += chunk
      if (/^220 /m.test(text) && !text.includes('EHLO-SENT')) {
        text = 'EHLO-SENT\n'
        socket.write('EHLO client.test\r\n')
      } else if (/^250 /m.test(text)) {
        socket.end('QUIT\r\n')
        resolve(text.split('\r\n').filter((l) => l.startsWith('250')))
      }
    })
  })
}

describe('SMTP STARTTLS and EHLO', () => {
  const dir = mkdtempSync(join(tmpdir(), 'periodic-smtp-tls-'))
  let plain: TestServer
  let tls: TestServer

  beforeAll(async () => {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=periodic.local',
      ],
      { stdio: 'ignore' },
    )
    plain = await startTestServer({ env: { PERIODIC_SMTP_PORT: '0', PERIODIC_SMTP_MAX_BYTES: '1048576' } })
    tls = await startTestServer({
      env: {
        PERIODIC_SMTP_PORT: '0',
        PERIODIC_SMTP_TLS_CERT: cert,
        PERIODIC_SMTP_TLS_KEY: key,
        PERIODIC_OUTBOUND_ALLOW: '127.0.0.1',
      },
    })
  })
  afterAll(async () => {
    await plain?.close()
    await tls?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('announces SIZE and no AUTH; STARTTLS only with a certificate', async () => {
    const lines = await ehlo(plain.platform.smtp!.port)
    expect(lines.join('\n')).toMatch(/^250[- ]SIZE 1048576$/m)
    expect(lines.join('\n')).not.toMatch(/STARTTLS|AUTH/)
    const withTls = await ehlo(tls.platform.smtp!.port)
    expect(withTls.join('\n')).toMatch(new RegExp(`^250[- ]SIZE ${25 * 1024 * 1024}$`, 'm'))
    expect(withTls.join('\n')).toMatch(/STARTTLS/)
  })

  it('takes a message over STARTTLS', async () => {
    await tls.createCircle('acme')
    const spec = { model: { base_url: 'http://127.0.0.1:9/v1', model: 'scripted' } }
    expect((await tls.api('POST', '/api/acme', { element_type: 'agent', slug: 'a', spec })).status).toBe(201)
    const made = await tls.api('POST', '/api/v1/agents/acme%2Fa/triggers/email', { alias: 'secure' })
    const transport = createTransport({
      host: '127.0.0.1',
      port: tls.platform.smtp!.port,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    })
    const sent = await transport.sendMail({ from: 'a@example.com', to: made.body.address, text: 'hi' })
    expect(sent.response).toMatch(/^250 Ok: started run /)
    // Without a certificate, a client that insists on TLS is turned away.
    const plainOnly = createTransport({
      host: '127.0.0.1',
      port: plain.platform.smtp!.port,
      secure: false,
      requireTLS: true,
    })
    await expect(
      plainOnly.sendMail({ from: 'a@example.com', to: 'x@periodic.local', text: 'hi' }),
    ).rejects.toThrow(/STARTTLS/)
  })
})
