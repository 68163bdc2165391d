// The DSL features Periodic does not run, found by name and path so a definition using one is
// refused (WORKFLOW_FEATURE_UNSUPPORTED) rather than half-run. This runs before schema
// validation: a definition written for a feature we lack learns that first, whatever else is
// wrong with it. The walk is defensive about shapes (the schema has not vouched for them yet).
import type { JsonObject } from '../storage/storage.ts'
import { isObject, pointer, walkTasks } from './dsl-tasks.ts'

/** A feature of the DSL used by a definition that Periodic refuses, named, with its path. */
export interface FeatureProblem {
  path: string
  feature: string
  message: string
}

/** Languages `run: script` accepts. */
export const SCRIPT_LANGUAGES = ['python'] as const
/** Authentication schemes Periodic applies to http/openapi calls. */
export const AUTH_SCHEMES = ['basic', 'bearer'] as const
const REFUSED_SCHEMES = ['digest', 'oauth2', 'oidc']
/** Call types of later DSL versions or other runtimes, refused by name unless declared as functions. */
const FOREIGN_CALLS = ['grpc', 'asyncapi', 'mcp', 'a2a']
/** Task kinds a function in use.functions may be (it is called, so it must produce a result). */
const FUNCTION_KINDS = ['call', 'run']

function feature(path: string, name: string, why: string): FeatureProblem {
  return { path, feature: name, message: `${name} is not supported by Periodic: ${why}` }
}

/** Inline authentication policies that use a scheme we do not apply. */
function authProblems(policy: unknown, path: string, out: FeatureProblem[]): void {
  if (!isObject(policy)) return
  for (const scheme of REFUSED_SCHEMES) {
    if (scheme in policy)
      out.push(
        feature(
          pointer(path, scheme),
          `authentication: ${scheme}`,
          `only ${AUTH_SCHEMES.join(' and ')} authentication is applied to calls`,
        ),
      )
  }
}

function endpointAuth(endpoint: unknown, path: string, out: FeatureProblem[]): void {
  if (isObject(endpoint)) authProblems(endpoint.authentication, pointer(path, 'authentication'), out)
}

/** `schema.resource` (an external JSON schema) and non-JSON schema formats. */
function schemaProblems(holder: unknown, path: string, out: FeatureProblem[]): void {
  if (!isObject(holder) || !isObject(holder.schema)) return
  const schema = holder.schema
  const at = pointer(path, 'schema')
  if ('resource' in schema)
    out.push(
      feature(
        pointer(at, 'resource'),
        'external schema',
        'give the JSON schema inline under schema.document',
      ),
    )
  if (typeof schema.format === 'string' && !/^json(:|$)/.test(schema.format))
    out.push(feature(pointer(at, 'format'), `schema format ${schema.format}`, 'only JSON Schema is read'))
}

function taskProblems(task: JsonObject, path: string, functions: JsonObject, out: FeatureProblem[]) {
  for (const key of ['input', 'output', 'export']) schemaProblems(task[key], pointer(path, key), out)
  if (typeof task.call === 'string') {
    const call = task.call
    const args = isObject(task.with) ? task.with : undefined
    const withPath = pointer(path, 'with')
    if (FOREIGN_CALLS.includes(call) && !Object.hasOwn(functions, call))
      out.push(feature(pointer(path, 'call'), `call: ${call}`, 'use call: http, openapi or periodic'))
    else if (call.includes('://'))
      out.push(
        feature(
          pointer(path, 'call'),
          'external function definition',
          'declare the function in use.functions instead',
        ),
      )
    else if (call.includes('@') && !Object.hasOwn(functions, call))
      out.push(
        feature(
          pointer(path, 'call'),
          'catalog function',
          'catalogs are not read; declare the function in use.functions',
        ),
      )
    if (call === 'http' && args) endpointAuth(args.endpoint, pointer(withPath, 'endpoint'), out)
    if (call === 'openapi' && args) {
      authProblems(args.authentication, pointer(withPath, 'authentication'), out)
      if (isObject(args.document))
        endpointAuth(args.document.endpoint, pointer(withPath, 'document', 'endpoint'), out)
    }
  }
  if (isObject(task.run)) {
    const run = task.run
    const runPath = pointer(path, 'run')
    for (const kind of ['container', 'shell'])
      if (kind in run)
        out.push(
          feature(
            pointer(runPath, kind),
            `run: ${kind}`,
            'run a python script, a workflow, or call a periodic element instead',
          ),
        )
    if (isObject(run.script)) {
      const script = run.script
      const lang = script.language
      if (typeof lang === 'string' && !(SCRIPT_LANGUAGES as readonly string[]).includes(lang))
        out.push(
          feature(
            pointer(runPath, 'script', 'language'),
            `run: script (${lang})`,
            `scripts run in ${SCRIPT_LANGUAGES.join(', ')} only`,
          ),
        )
      if ('source' in script)
        out.push(
          feature(
            pointer(runPath, 'script', 'source'),
            'run: script source (external resource)',
            'give the code inline under script.code',
          ),
        )
    }
  }
  if (isObject(task.listen) && isObject(task.listen.to)) {
    const to = task.listen.to
    const filters = [
      to.one,
      ...(Array.isArray(to.any) ? to.any : []),
      ...(Array.isArray(to.all) ? to.all : []),
    ]
    if (filters.some((f) => isObject(f) && 'correlate' in f))
      out.push(
        feature(
          pointer(path, 'listen', 'to'),
          'listen correlate',
          'events are not correlated; filter on their attributes (`with`) instead',
        ),
      )
  }
  if ('foreach' in task && 'listen' in task)
    out.push(
      feature(
        pointer(path, 'foreach'),
        'listen.foreach',
        'listen returns the consumed events; loop over them with a for task',
      ),
    )
}

/** Every unsupported feature the document uses (empty when Periodic can run all of it). */
export function unsupportedFeatures(doc: unknown): FeatureProblem[] {
  const out: FeatureProblem[] = []
  if (!isObject(doc)) return out
  const use = isObject(doc.use) ? doc.use : {}
  const functions = isObject(use.functions) ? use.functions : {}
  if ('extensions' in use)
    out.push(feature('/use/extensions', 'use.extensions', 'extensions would change tasks implicitly'))
  if ('catalogs' in use)
    out.push(feature('/use/catalogs', 'use.catalogs', 'declare functions in use.functions'))
  if (isObject(use.authentications))
    for (const [name, policy] of Object.entries(use.authentications))
      authProblems(policy, pointer('/use/authentications', name), out)
  if (isObject(doc.evaluate)) {
    const { language, mode } = doc.evaluate
    if (language !== undefined && language !== 'jq')
      out.push(feature('/evaluate/language', `evaluate.language: ${String(language)}`, 'jq only'))
    if (mode !== undefined && mode !== 'strict')
      out.push(
        feature(
          '/evaluate/mode',
          `evaluate.mode: ${String(mode)}`,
          'expressions are evaluated in strict mode (${ … })',
        ),
      )
  }
  for (const key of ['input', 'output']) schemaProblems(doc[key], `/${key}`, out)
  walkTasks(doc, (v) => {
    taskProblems(v.task, v.path, functions, out)
    if (v.listPath === '/use/functions' && v.kind && !FUNCTION_KINDS.includes(v.kind))
      out.push(
        feature(
          v.path,
          `use.functions (${v.kind} task)`,
          'a function is a call or run task; use a do task inline instead',
        ),
      )
  })
  return out
}
