// Error codes of runs, shared by the runs API and every runnable element type.
import { defineErrorCodes } from '../errors.ts'

export const RUN = defineErrorCodes({
  RUN_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No such run, or not one the key can see.',
  },
  RUN_OUTCOME_UNSTORABLE: {
    status: 500,
    class: 'internal',
    retryable: false,
    description:
      'The run ended but its outcome (output, error or logs) could not be stored; it is recorded as failed without them so it never stays running.',
  },
  RUN_DEFINITION_UNAVAILABLE: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description:
      'The definition the run executed is no longer available: its element was deleted, or neither its Source commit nor its element version is kept.',
  },
  RUN_NOT_CANCELLABLE: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'Only queued or running runs can be cancelled; `details.status` has the run’s status.',
  },
  RUN_NODE_LOST: {
    status: 503,
    class: 'unavailable',
    retryable: true,
    description:
      'The node executing the run stopped (killed, crashed or cut off) before it ended; the run was retried on another node while its retry policy allowed, and failed with this code when it did not.',
  },
  RUN_CANCELLED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description: 'The run was cancelled before or while it ran; it is not retried.',
  },
  OPERATION_NOT_RUNNABLE: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The runs API starts only runnable operations (python `invoke`); `details.runnable` lists those of the target.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    class: 'validation',
    retryable: false,
    description: 'This Idempotency-Key was used in the last 24 h with a different request body.',
  },
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    class: 'conflict',
    retryable: true,
    description: 'A request with this Idempotency-Key is still creating its run; retry shortly.',
  },
  RUN_ALREADY_STARTED: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'Input files can be uploaded or deleted only while the run is queued; `details.status` has its status.',
  },
  RUN_FILE_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'The run has no artifact or input file at that path.',
  },
  INVALID_RUN_FILE_PATH: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'A file path or name must be relative, without `..`, backslashes or control characters, and must not follow a symlink.',
  },
  INVALID_MULTIPART: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The multipart/form-data body could not be read (no boundary, a malformed part, `input` not JSON, a duplicate file name).',
  },
  RUN_FILES_TOO_LARGE: {
    status: 413,
    class: 'validation',
    retryable: false,
    description: 'The input files of a run exceed the upload limit; `details.limit_bytes` has it.',
  },
})
