// The quota error code: a reservation of workers, memory, browser sessions or runs in flight
// that the server-wide budget or the circle's quota cannot hold, and that cannot wait.
import { defineErrorCodes } from '../errors.ts'

export const QUOTA = defineErrorCodes({
  QUOTA_EXCEEDED: {
    status: 429,
    class: 'limit',
    retryable: true,
    description:
      'A server-wide budget or the circle’s quota (PERIODIC_QUOTA_*) is used up and the request cannot wait for room: too many runs in flight, a browser session beyond the quota, or an element that needs more than the quota holds. details: resource, scope (server|circle), limit, in_use, need.',
  },
})
