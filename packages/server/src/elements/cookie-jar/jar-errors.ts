// The cookie jar's error codes (the reference text's six, plus refusals of malformed cookies).
import { defineErrorCodes } from '../../errors.ts'

export const JAR = defineErrorCodes({
  JAR_ALREADY_ATTACHED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The jar is already attached to a different browser; detach that browser first (details.attached_browser_id names it).',
  },
  JAR_BROWSER_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The attach target browser_id does not resolve to a live browser element in this circle.',
  },
  JAR_BROWSER_MISSING: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description:
      'The jar’s attached_browser_id points to a browser that no longer exists; pass force=true to detach anyway.',
  },
  JAR_BROWSER_ALREADY_ATTACHED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'The attach target browser is already claimed by a different jar; detach that jar first.',
  },
  JAR_VERSION_CONFLICT: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'expected_version does not match the jar’s current cookies_version: another writer changed the jar since the caller read it.',
  },
  JAR_CAPACITY_EXCEEDED: {
    status: 422,
    class: 'limit',
    retryable: false,
    description:
      'The write would push the jar past 10 000 cookies; nothing was changed. Prune expired cookies or split across jars.',
  },
  JAR_INVALID_COOKIES: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'One or more cookies cannot be stored (details.dropped names each by (name, domain, path) with a reason); nothing was changed.',
  },
  JAR_SPEC_MANAGED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'A cookie jar’s spec is managed by its operations (import, set, delete, clear, prune, attach, detach), not by update or create.',
  },
  JAR_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'other_jar_id does not resolve to a live cookie jar in this circle.',
  },
})
