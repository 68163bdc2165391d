// The workflow element's spec: the DSL document as the text the user wrote (YAML or JSON,
// comments kept), its kind (a `block` is a reusable sub-workflow for `run: workflow`), and the
// secrets `$secret` reads — sealed at rest under the element's data key, never shown.
import { type Static, Type } from '@sinclair/typebox'
import { validationError } from '../../errors.ts'
import { openJson, sealJson } from '../../secrets/secrets-of.ts'
import type { Json, JsonObject } from '../../storage/storage.ts'
import { parseDefinition, type WorkflowDocument } from '../../workflows/definition.ts'
import type { ElementsPort } from '../element.ts'

export const MAX_DEFINITION_BYTES = 512 * 1024
export const WORKFLOW_FILE = 'workflow.yaml'
const SECRET_PURPOSE = 'workflow.secret'

export const workflowSpec = Type.Object(
  {
    definition: Type.String({
      minLength: 1,
      maxLength: MAX_DEFINITION_BYTES,
      description:
        'The Serverless Workflow DSL 1.0 document, as YAML or JSON text (kept as written, comments included).',
    }),
    kind: Type.Union([Type.Literal('workflow'), Type.Literal('block')], {
      default: 'workflow',
      description: 'A block is a reusable sub-workflow, called with `run: workflow`.',
    }),
    secrets: Type.Record(
      Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
      Type.Union([
        Type.String({ maxLength: 16_384 }),
        Type.Object({ sealed: Type.String() }, { additionalProperties: false }),
      ]),
      {
        default: {},
        maxProperties: 100,
        description:
          'Values `$secret.<name>` reads when the definition lists the name in `use.secrets`. Send the value; it is sealed at rest, and shown (and may be sent back) only as {sealed}.',
      },
    ),
  },
  { additionalProperties: false },
)

export type WorkflowSpec = Static<typeof workflowSpec>

/** The parsed document of a stored spec (validated on every write). */
export function documentOf(spec: { definition: string }): WorkflowDocument {
  return parseDefinition(spec.definition)
}

/** Refuses a definition the DSL does not accept before the spec schema looks at the rest. */
export function preValidateWorkflow(spec: JsonObject): void {
  if (typeof spec['definition'] === 'string' && spec['definition'].length <= MAX_DEFINITION_BYTES)
    parseDefinition(spec['definition'])
}

const binding = (elementId: string) => ({ elementId, version: 0, purpose: SECRET_PURPOSE })

/** Seals plaintext secrets; a sealed one must open for this element. */
export async function sealWorkflowSecrets(
  spec: JsonObject,
  elementId: string,
  elements: ElementsPort,
): Promise<JsonObject> {
  const secrets = spec['secrets']
  if (!secrets || typeof secrets !== 'object' || Array.isArray(secrets)) return spec
  const out: JsonObject = {}
  for (const [name, value] of Object.entries(secrets)) {
    if (typeof value === 'string')
      out[name] = { sealed: await sealJson({ elements }, binding(elementId), value) }
    else if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof value['sealed'] === 'string'
    ) {
      await openJson({ elements }, binding(elementId), value['sealed']).catch(() => {
        throw validationError(
          `spec.secrets.${name}`,
          'a sealed secret only opens for the workflow that sealed it; send the value',
        )
      })
      out[name] = value
    } else out[name] = value
  }
  return { ...spec, secrets: out }
}

/** The values of `names` (a missing one is null). */
export async function openWorkflowSecrets(
  elements: ElementsPort,
  elementId: string,
  spec: WorkflowSpec,
  names: string[],
): Promise<Record<string, Json>> {
  const out: Record<string, Json> = {}
  for (const name of names) {
    const v = spec.secrets[name]
    out[name] =
      v && typeof v === 'object'
        ? ((await openJson({ elements }, binding(elementId), v.sealed)) as Json)
        : null
  }
  return out
}

/** The document lives in Source as `workflow.yaml`, the rest in `.periodic/spec.yaml`. */
export function workflowSourceFiles(spec: JsonObject): { spec: JsonObject; files: Record<string, string> } {
  const { definition, ...rest } = spec
  return { spec: rest, files: typeof definition === 'string' ? { [WORKFLOW_FILE]: definition } : {} }
}

export function workflowSpecFromSource(
  spec: JsonObject,
  file: (path: string) => string | undefined,
): JsonObject {
  const text = file(WORKFLOW_FILE)
  return text ? { ...spec, definition: text } : spec
}
