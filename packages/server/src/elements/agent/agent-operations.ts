// The agent element's own operations: invoke (start a run on an input, optionally wait for its
// end) and steps (a run's model calls and tool calls, from its trace).
import { PlatformError } from '../../errors.ts'
import { operationsFor } from '../element.ts'
import { invokeRunOperation } from '../invoke-run-operation.ts'
import { AGENT } from './agent-errors.ts'
import type { AgentRuntime } from './agent-runtime.ts'
import type { AgentSpec } from './spec.ts'

const agentOperation = operationsFor<AgentSpec, AgentRuntime>()

export const agentOperations = [
  invokeRunOperation<AgentSpec>(
    'Run the agent on an input (201 + run; ?wait_for_completion=N holds up to N s)',
    'The body is the agent’s input: a JSON string is the user message as is, anything else is sent as JSON. Answers the run: 200 when it ended within the wait, else 202 with Location (the run goes on). The output is {text} (or the JSON the output_schema asks for); the run’s artifacts hold trace.jsonl, issues.md and periodic.lock. ?ref= names the branch, tag or commit to run.',
  ),
  agentOperation({
    name: 'steps',
    method: 'GET',
    path: 'runs/:run_id/steps',
    auth: 'read',
    summary:
      'The model calls and tool calls of one run (its trace.jsonl): kind, step, timings, tokens, tool, child run, status',
    async handler(ctx) {
      const run = await ctx.runs.get(ctx.params['run_id'] ?? '')
      if (!run || run.element_id !== ctx.element.id)
        throw new PlatformError(AGENT.AGENT_RUN_NOT_FOUND, 'no run of this agent has that id')
      return { run_id: run.id, status: run.status, steps: await ctx.runtime.runSteps(run) }
    },
  }),
]
