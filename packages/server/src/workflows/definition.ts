// A workflow definition: the YAML or JSON text a user wrote, parsed and validated against the
// Serverless Workflow DSL 1.0 schema. PLACEHOLDER (the DSL helper completes it, keeps the exports).
import sdk from '@serverlessworkflow/sdk'
import YAML from 'yaml'
import { PlatformError } from '../errors.ts'
import type { JsonObject } from '../storage/storage.ts'
import { WORKFLOW } from './workflow-errors.ts'

/** A parsed, validated DSL document (its JSON form). */
export type WorkflowDocument = JsonObject & {
  document: { dsl: string; namespace: string; name: string; version: string } & JsonObject
  do: Array<Record<string, JsonObject>>
}

export interface DefinitionProblem {
  path: string
  message: string
}

/** Parses and validates `text`; throws WORKFLOW_DEFINITION_INVALID / WORKFLOW_FEATURE_UNSUPPORTED. */
export function parseDefinition(text: string): WorkflowDocument {
  let doc: unknown
  try {
    doc = YAML.parse(text)
  } catch (err) {
    throw invalid([{ path: '/', message: err instanceof Error ? err.message : String(err) }])
  }
  try {
    const w = sdk.Classes.Workflow.deserialize(JSON.stringify(doc))
    sdk.validate('Workflow', w)
  } catch (err) {
    throw invalid([{ path: '/', message: err instanceof Error ? err.message : String(err) }])
  }
  return doc as WorkflowDocument
}

function invalid(errors: DefinitionProblem[]): PlatformError {
  return new PlatformError(WORKFLOW.WORKFLOW_DEFINITION_INVALID, errors[0]?.message, { errors })
}
