// Codes of the automations API (a workflow's `schedule` as an automation).
import { defineErrorCodes } from '../../errors.ts'

export const AUTOMATION = defineErrorCodes({
  AUTOMATION_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description:
      'No automation (or, for sync, no workflow) with that id or path in the key’s circle: its workflow has no `schedule`, or it does not exist',
  },
})
