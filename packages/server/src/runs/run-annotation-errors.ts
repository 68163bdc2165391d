// Error codes of a run's annotations: feedback, expected output and the comparison of the two.
import { defineErrorCodes } from '../errors.ts'

export const ANNOTATION = defineErrorCodes({
  FEEDBACK_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The run has no feedback to resolve; give it some first (PUT or PATCH …/feedback).',
  },
  EXPECTED_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The run has no expected document of this name; `details.name` names it.',
  },
  EXPECTED_OUTPUT_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description:
      'The comparison needs the run’s expected `output`: upload it (PUT …/expected/output) or copy the run’s output (POST …/expected/copy_output).',
  },
  INVALID_EXPECTED_NAME: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Expected document names are 1–100 characters of `A-Z a-z 0-9 . _ -`, starting with a letter or digit, without `..`.',
  },
  EXPECTED_NAME_TAKEN: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'A rename target already exists; delete it first or pick another name.',
  },
  EXPECTED_TOO_LARGE: {
    status: 413,
    class: 'limit',
    retryable: false,
    description: 'An expected document is larger than the limit; `details.limit_bytes` has it.',
  },
  EXPECTED_LIMIT_REACHED: {
    status: 409,
    class: 'limit',
    retryable: false,
    description: 'A run holds at most `details.limit` expected documents; delete one first.',
  },
  RUN_OUTPUT_UNAVAILABLE: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'Only a succeeded run’s output can be copied as expected output; `details.status` has the run’s status.',
  },
})
