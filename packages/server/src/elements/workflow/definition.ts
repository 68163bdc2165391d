// The `workflow` element type: a CNCF Serverless Workflow DSL 1.0 document that composes the
// circle's elements, run durably (see workflow-runtime.ts and workflows/).
import { defineElement } from '../element.ts'
import {
  preValidateWorkflow,
  sealWorkflowSecrets,
  workflowSourceFiles,
  workflowSpec,
  workflowSpecFromSource,
} from './spec.ts'
import { WORKFLOW_RUN } from './workflow-errors.ts'
import { workflowOperations } from './workflow-operations.ts'
import { WorkflowRuntime } from './workflow-runtime.ts'
import { workflowTables } from './workflow-tables.ts'

export const workflowType = defineElement({
  type: 'workflow',
  name: 'Workflow',
  description:
    'Composes the circle’s elements into a durable workflow written in the CNCF Serverless Workflow DSL 1.0 (YAML or JSON): calls, branches, loops, retries, sub-workflows, events, timers.',
  symbol: 'Wf',
  category: 'compute',
  form: 'atom',
  spec: workflowSpec,
  preValidate: preValidateWorkflow,
  sealSpec: sealWorkflowSecrets,
  sourceFiles: workflowSourceFiles,
  specFromSource: workflowSpecFromSource,
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  errors: WORKFLOW_RUN,
  capabilities: ['durable-execution', 'serverless-workflow-dsl'],
  events: ['element.updated', 'run.succeeded', 'run.failed'],
  operations: workflowOperations,
  runtime: (p) => new WorkflowRuntime(p),
  tables: workflowTables,
})
