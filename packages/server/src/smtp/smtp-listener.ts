// The SMTP listener (the `smtp-server` package): a trigger inbox, not a mail server. No AUTH (a
// message is accepted only for recipients the inbox knows, decided at RCPT TO, never after DATA),
// no relaying, SIZE announced in EHLO and enforced, STARTTLS only with a configured certificate.
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import type { SmtpConfig } from './smtp-config.ts'

/** A refusal the inbox gives, sent as `<code> <message>` (the message starts with its enhanced code). */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message)
  }
}

export interface MailInbox {
  /** Resolves when mail to `address` is accepted; rejects with an SmtpReply otherwise. */
  acceptRecipient(address: string): Promise<void>
  /** Delivers one message to the accepted recipients: the 250 reply's text, or an SmtpReply. */
  deliver(raw: Buffer, envelope: { from: string | null; to: string[] }): Promise<string>
}

export interface SmtpListener {
  port: number
  close(): Promise<void>
}

interface Log {
  warn(o: object, msg?: string): void
  error(o: object, msg?: string): void
}

const asSmtpError = (err: unknown): SmtpReply =>
  err instanceof SmtpReply ? err : new SmtpReply(451, '4.3.0 temporary failure, try again later')

export async function startSmtpListener(
  config: SmtpConfig,
  inbox: MailInbox,
  log: Log,
): Promise<SmtpListener> {
  const tls = config.tls
    ? { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) }
    : undefined
  const options: SMTPServerOptions = {
    name: config.domain,
    banner: 'Periodic email triggers',
    size: config.maxBytes,
    maxRecipients: config.maxRecipients,
    authOptional: true,
    // No AUTH: this is an inbox for aliases, and a password here would protect nothing more.
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    logger: false,
    // At shutdown an idle client's connection gets two seconds, not the package's thirty.
    closeTimeout: 2000,
    onRcptTo(address, _session, callback) {
      inbox.acceptRecipient(address.address).then(
        () => callback(),
        (err: unknown) => {
          if (!(err instanceof SmtpReply)) log.error({ err }, 'smtp recipient check failed')
          callback(asSmtpError(err))
        },
      )
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('error', (err) => callback(asSmtpError(err)))
      stream.on('end', () => {
        // Over SIZE: the server answers 552 itself; nothing is delivered.
        if (stream.sizeExceeded)
          return callback(new SmtpReply(552, `5.3.4 message exceeds the limit of ${config.maxBytes} bytes`))
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null
        const to = session.envelope.rcptTo.map((r) => r.address)
        inbox.deliver(Buffer.concat(chunks), { from, to }).then(
          (text) => callback(null, text),
          (err: unknown) => {
            if (!(err instanceof SmtpReply)) log.error({ err }, 'smtp delivery failed')
            callback(asSmtpError(err))
          },
        )
      })
    },
  }
  const server = new SMTPServer(options)
  server.on('error', (err) => log.warn({ err }, 'smtp connection error'))
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject)
    server.listen(config.port ?? 0, config.host, () => {
      server.server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
