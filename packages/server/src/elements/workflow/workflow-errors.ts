// Codes of workflow runs and automations (definition codes are in workflows/workflow-errors.ts).
import { defineErrorCodes } from '../../errors.ts'

export const WORKFLOW_RUN = defineErrorCodes({
  WORKFLOW_TASK_FAILED: {
    status: 422,
    class: 'validation',
    retryable: false,
    description:
      'A task of the workflow failed and no catch took the error; the run error holds the DSL error (type, status, detail, instance = the task)',
  },
  WORKFLOW_EVENT_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The CloudEvent is not one: it needs string `type` and `source` (structured mode: a JSON body with specversion 1.0; binary mode: ce-* headers), at most 256 KiB',
  },
  WORKFLOW_RUN_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No run of this workflow has that id',
  },
})
