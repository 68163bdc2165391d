// The inbox of agents' email aliases: a recipient is accepted at RCPT TO when its alias may
// start runs now (550 5.1.1 otherwise) and its rate allows (451 4.7.1, try later); a message
// starts one agent run per accepted alias, with the message as input and its attachments as
// the run's input files, as the key that created the alias. The 250 reply names the runs.
import { simpleParser } from 'mailparser'
import type { EmailAliasRow } from '../elements/agent/email/email-alias-tables.ts'
import type { AgentEmailTriggers } from '../elements/agent/email/email-aliases.ts'
import type { ElementService } from '../elements/element-service.ts'
import { PlatformError } from '../errors.ts'
import { startElementRun } from '../http/runs-api/start-element-run.ts'
import { stageInputFiles } from '../runs/run-files.ts'
import type { ElementRow, JsonObject } from '../storage/storage.ts'
import { AliasRateLimiter } from './alias-rate-limiter.ts'
import { mailRunInput } from './mail-run-input.ts'
import { type MailInbox, SmtpReply } from './smtp-listener.ts'

interface Log {
  warn(o: object, msg?: string): void
}

export class AgentMailInbox implements MailInbox {
  private readonly limiter = new AliasRateLimiter()

  constructor(
    private readonly elements: ElementService,
    private readonly triggers: AgentEmailTriggers,
    private readonly dataDir: string,
    private readonly log: Log,
  ) {}

  async acceptRecipient(address: string): Promise<void> {
    const check = await this.triggers.checkRecipient(address)
    if (!check.ok) throw new SmtpReply(550, `5.1.1 ${check.message}`)
    const rate = check.alias.rate_limit_per_minute
    if (!this.limiter.admit(check.alias.id, rate))
      throw new SmtpReply(
        451,
        `4.7.1 <${address}>: this alias accepts at most ${rate} message${rate === 1 ? '' : 's'} a minute; try again later`,
      )
  }

  async deliver(raw: Buffer, envelope: { from: string | null; to: string[] }): Promise<string> {
    // Checked again: an alias, agent or key may have changed since RCPT TO.
    const targets = new Map<string, { alias: EmailAliasRow; agent: ElementRow }>()
    for (const address of envelope.to) {
      const check = await this.triggers.checkRecipient(address)
      if (check.ok) targets.set(check.alias.id, check)
    }
    if (targets.size === 0)
      throw new SmtpReply(550, '5.1.1 no recipient of this message accepts mail any more')
    const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true })
    const { input, files } = mailRunInput(mail, envelope.from)
    const started: string[] = []
    const failed: SmtpReply[] = []
    for (const { alias, agent } of targets.values()) {
      try {
        // Each run adopts (moves) its own staged copy of the files.
        const upload = files.length ? await this.stage(files) : {}
        const info: JsonObject = {
          key_id: alias.key_id,
          alias: `${alias.alias}@${this.triggers.domain}`,
          message_id: mail.messageId ?? null,
          ...upload,
        }
        const run = await startElementRun(this.elements, agent, 'invoke', input, 'email', info, {
          // Staged files are on this node's disk: the run starts here.
          waiting: files.length > 0,
        })
        started.push(run.id)
      } catch (err) {
        failed.push(asReply(err, alias))
        this.log.warn({ err, alias: alias.id, agent: agent.id }, 'email trigger could not start a run')
      }
    }
    if (started.length === 0) throw failed[0]!
    const runs = `run${started.length === 1 ? '' : 's'} ${started.join(', ')}`
    return failed.length ? `Ok: started ${runs}; ${failed.length} alias(es) failed` : `Ok: started ${runs}`
  }

  private async stage(files: ReturnType<typeof mailRunInput>['files']): Promise<JsonObject> {
    const token = await stageInputFiles(this.dataDir, files)
    const described = files.map((f) => ({
      field: f.field,
      name: f.name,
      size: f.data.length,
      content_type: f.content_type,
    }))
    return { input_upload: token, input_files: described }
  }
}

/** A run that could not start: temporary when the platform says so (quota, unavailable), else permanent. */
function asReply(err: unknown, alias: EmailAliasRow): SmtpReply {
  if (!(err instanceof PlatformError)) return new SmtpReply(451, '4.3.0 temporary failure, try again later')
  const what = `${alias.alias}: ${err.message.slice(0, 300)}`
  if (err.retryable || err.status >= 500 || err.status === 429) return new SmtpReply(451, `4.3.0 ${what}`)
  return new SmtpReply(554, `5.6.0 ${what}`)
}
