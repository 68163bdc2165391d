// Benchmark of agents' email triggers: one SMTP message (MAIL, RCPT, DATA on a kept-open
// connection, nodemailer's pool) until the 250 reply, which comes once the agent run's record
// exists — plain text, and with a small PDF attachment (staged and adopted as an input file).
// The agent talks to a scripted model on loopback that answers at once. Anchor: < 50 ms.
// Run: npx tsx packages/server/bench/smtp-to-run.ts [--messages N]. Prints figures; asserts nothing.
import { createTransport, type SendMailOptions } from 'nodemailer'
import { tinyPdf } from '../src/smtp/email-test-helpers.ts'
import { startScriptedModelServer } from '../test/scripted-model-server.ts'
import { startBenchPlatform } from './bench-platform.ts'

const ANCHOR_MS = 50
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!

export interface SmtpToRunFigures {
  kind: string
  messages: number
  p50: number
  p95: number
}

export async function benchSmtpToRun(messages = 100): Promise<SmtpToRunFigures[]> {
  const model = await startScriptedModelServer(() => ({ content: 'filed' }))
  const bench = await startBenchPlatform('smtpbench', {
    PERIODIC_RATE_LIMIT: '0',
    PERIODIC_SMTP_PORT: '0',
    PERIODIC_OUTBOUND_ALLOW: '127.0.0.1',
  })
  const transport = createTransport({
    pool: true,
    maxConnections: 1,
    maxMessages: Number.POSITIVE_INFINITY,
    host: '127.0.0.1',
    port: bench.p.smtp!.port,
    secure: false,
    ignoreTLS: true,
  })
  const figures: SmtpToRunFigures[] = []
  try {
    await bench.api('POST', '/api', { element_type: 'circle', slug: 'bench' })
    const spec = { model: { base_url: model.baseUrl, model: 'scripted' } }
    await bench.api('POST', '/api/bench', { element_type: 'agent', slug: 'inbox', spec })
    const alias = await bench.api('POST', '/api/v1/agents/bench%2Finbox/triggers/email', {
      alias: 'bench',
      rate_limit_per_minute: 10_000,
    })
    const to = String(alias['address'])
    const pdf = tinyPdf()
    const kinds: Array<[string, Omit<SendMailOptions, 'to'>]> = [
      ['text message', { subject: 'hello', text: 'Please file this.' }],
      [
        'message + 1 PDF attachment',
        {
          subject: 'invoice',
          text: 'Attached.',
          attachments: [{ filename: 'invoice.pdf', content: pdf, contentType: 'application/pdf' }],
        },
      ],
    ]
    for (const [kind, mail] of kinds) {
      const send = () => transport.sendMail({ from: 'bench@example.com', to, ...mail })
      for (let i = 0; i < 10; i++) await send() // warm-up: connection, parser, statements
      const ms: number[] = []
      let last = ''
      for (let i = 0; i < messages; i++) {
        const t = performance.now()
        const info = await send()
        ms.push(performance.now() - t)
        last = info.response
      }
      const runId = /run ([0-9a-f-]{36})/.exec(last)?.[1]
      const run = runId ? await bench.api('GET', `/api/v1/runs/${runId}`) : {}
      if (run['trigger'] !== 'email') throw new Error(`no email run behind the reply "${last}"`)
      figures.push({ kind, messages, p50: pct(ms, 0.5), p95: pct(ms, 0.95) })
    }
  } finally {
    transport.close()
    await bench.close()
    await model.close()
  }
  return figures
}

export function printSmtpToRun(figures: SmtpToRunFigures[]): void {
  console.log(`SMTP message → agent run record (anchor < ${ANCHOR_MS} ms)`)
  for (const f of figures)
    console.log(
      `  ${f.kind.padEnd(28)} p50 ${f.p50.toFixed(2).padStart(6)} ms   p95 ${f.p95.toFixed(2).padStart(6)} ms   (${f.messages} messages)  anchor < ${ANCHOR_MS} ms ${f.p95 < ANCHOR_MS ? 'met' : 'MISSED'}`,
    )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--messages')
  const n = i < 0 ? 100 : Number(process.argv[i + 1])
  printSmtpToRun(await benchSmtpToRun(n))
}
