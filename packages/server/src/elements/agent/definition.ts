// The `agent` element type: a language-model agent that loops model → tool calls → model until
// a final answer, with the circle's elements, engine functions and external MCP servers as its
// tools (each tool call a run of its own, with the scopes of whoever started the agent).
import { defineElement } from '../element.ts'
import { AGENT } from './agent-errors.ts'
import { agentOperations } from './agent-operations.ts'
import { AgentRuntime } from './agent-runtime.ts'
import { agentEmailTables } from './email/email-alias-tables.ts'
import { agentSourceFiles, agentSpec, agentSpecFromSource, sealAgentSecrets } from './spec.ts'

export const agentType = defineElement({
  type: 'agent',
  name: 'Agent',
  description:
    'A language-model agent: instructions (AGENT.md), an OpenAI-compatible model endpoint, and the circle’s elements, engine functions and MCP servers as tools.',
  symbol: 'Ag',
  category: 'compute',
  form: 'atom',
  spec: agentSpec,
  sealSpec: sealAgentSecrets,
  sourceFiles: agentSourceFiles,
  specFromSource: agentSpecFromSource,
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  capabilities: ['language-model', 'tool-calling', 'mcp'],
  events: ['element.updated', 'run.succeeded', 'run.failed'],
  errors: AGENT,
  operations: agentOperations,
  runtime: (p) => new AgentRuntime(p),
  // Email triggers' aliases (email/): mail to an alias starts a run of its agent.
  tables: agentEmailTables,
})
