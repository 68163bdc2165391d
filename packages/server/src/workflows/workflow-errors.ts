// The workflow codes: definitions refused on write, and how a workflow run or one of its tasks
// fails. Registered in the platform catalogue like every code.
import { defineErrorCodes } from '../errors.ts'

export const WORKFLOW = defineErrorCodes({
  WORKFLOW_DEFINITION_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The workflow definition is not valid YAML/JSON or not a valid Serverless Workflow DSL 1.0 document; details.errors lists each problem with its path',
  },
  WORKFLOW_DEFINITION_TOO_LARGE: {
    status: 413,
    class: 'limit',
    retryable: false,
    description:
      'The workflow definition breaks a size limit (text size, value nesting, number of tasks, task nesting); details name the limit, its maximum and the actual value',
  },
  WORKFLOW_FEATURE_UNSUPPORTED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The definition uses a DSL feature Periodic does not run (named in details.errors with its path); it is refused rather than ignored',
  },
  WORKFLOW_EXPRESSION_FAILED: {
    status: 422,
    class: 'validation',
    retryable: false,
    description:
      'A runtime expression (jq) failed to compile or evaluate; details name the expression and position',
  },
})
