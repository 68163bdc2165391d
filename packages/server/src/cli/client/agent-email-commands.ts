// `periodic agents email <agent> [--alias A] [--rate-limit N]`: gives an agent an email alias
// (generated from its slug without --alias) and prints its address; mail to it starts a run of
// the agent as the key used here. Through @periodic/sdk's email triggers API. The `agents`
// command group is the agents API's; this is its `email` subcommand.
import { arg, type CommandContext, type FlagName, UsageError } from './command-context.ts'
import { formatRecord } from './output.ts'

export const AGENTS_EMAIL_FLAGS: FlagName[] = ['alias', 'rate-limit']
export const AGENTS_EMAIL_USAGE =
  'periodic agents email <agent> [--alias NAME] [--rate-limit PER_MINUTE]   (prints alias@<mail domain>)'

/** `periodic agents email …` (positionals after `agents`: `email`, then the agent). */
export async function agentsEmailCommand(ctx: CommandContext): Promise<number> {
  const agent = arg(ctx, 1, 'agent (a path such as acme/invoice-triage, an id or a slug)')
  const raw = ctx.flags['rate-limit']
  if (raw !== undefined && !/^[1-9]\d{0,4}$/.test(raw))
    throw new UsageError('--rate-limit must be a whole number of messages a minute (1-10000)')
  const made = await ctx.client.agents.emailTriggers.createAlias(agent, {
    alias: ctx.flags.alias,
    rate_limit_per_minute: raw === undefined ? undefined : Number(raw),
  })
  ctx.print(
    made,
    () => `${made.address}\n${formatRecord({ id: made.id, agent, rate: made.rate_limit_per_minute })}`,
  )
  return 0
}
