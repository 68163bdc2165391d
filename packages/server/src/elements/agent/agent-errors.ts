// Codes of agent runs (the run's error.code when it ends failed) and of agent specs refused at write.
import { defineErrorCodes } from '../../errors.ts'

const limit = (description: string) =>
  ({ status: 422, class: 'limit', retryable: false, description }) as const

export const AGENT = defineErrorCodes({
  AGENT_STEP_LIMIT: limit(
    'The agent made `max_steps` model calls without a final answer; the trace is in the run’s trace.jsonl',
  ),
  AGENT_TOKEN_BUDGET: limit(
    'The agent’s model calls spent more than `token_budget` tokens (prompt + completion) before a final answer',
  ),
  AGENT_TIMEOUT: {
    status: 504,
    class: 'timeout',
    retryable: true,
    description: 'The agent run did not reach a final answer within `timeout_s`',
  },
  AGENT_MODEL_ERROR: {
    status: 502,
    class: 'unavailable',
    retryable: true,
    description:
      'The model endpoint failed: it could not be reached (or the outbound address policy refused it), answered an error status, or sent something that is not a chat completion',
  },
  AGENT_OUTPUT_INVALID: {
    status: 422,
    class: 'validation',
    retryable: false,
    description:
      'The final answer does not satisfy the agent’s `output_schema` (not JSON, or a schema mismatch) after the model was told and asked again until the step limit',
  },
  AGENT_KEY_REFUSED: {
    status: 403,
    class: 'forbidden',
    retryable: false,
    description:
      'The API key that started the agent run was revoked or lost the `execute` scope during the run: no further tool calls are made',
  },
  AGENT_TOOL_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'A tool of the agent’s spec cannot be used: no such element (or not runnable, or no such operation), an engine function id or MCP URL that is malformed, two tools with one name',
  },
  AGENT_INTERRUPTED: {
    status: 503,
    class: 'unavailable',
    retryable: true,
    description:
      'The server executing the agent run shut down before the run ended; agent runs are not resumed (rerun it)',
  },
  AGENT_FAILED: {
    status: 500,
    class: 'internal',
    retryable: false,
    description:
      'The agent run failed for a reason of the platform’s own (the message says which); the server log has the detail',
  },
  AGENT_RUN_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No run of this agent has that id',
  },
})
