// Codes of the agents' email triggers API (aliases that start an agent run for each message).
import { defineErrorCodes } from '../../../errors.ts'

export const AGENT_EMAIL = defineErrorCodes({
  AGENT_EMAIL_ALIAS_TAKEN: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'That alias already receives mail on this server (aliases are unique per mail domain)',
  },
  AGENT_EMAIL_ALIAS_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No email alias with that id on this agent',
  },
  AGENT_EMAIL_INVALID_ALIAS: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'An alias is the local part of an address: 1–64 of a-z, 0-9, `.`, `_`, `-`, starting and ending with a letter or digit, no `..`, not a reserved name (postmaster, abuse, mailer-daemon)',
  },
})
