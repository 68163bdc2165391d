// Error codes of secrets at rest. Messages never carry key material or plaintext.
import { defineErrorCodes } from '../errors.ts'

export const SECRET = defineErrorCodes({
  SECRET_INTEGRITY_FAILED: {
    status: 500,
    class: 'internal',
    retryable: false,
    description:
      'Sealed data failed authentication: it was altered on disk, copied from another element, or rolled back to another version. Nothing was returned.',
  },
  SECRET_KEY_UNAVAILABLE: {
    status: 503,
    class: 'unavailable',
    retryable: false,
    description:
      'The master key that wraps this element’s data key is not configured (PERIODIC_MASTER_KEY or the data dir’s master-keys.json); restore it to read the secrets.',
  },
})
