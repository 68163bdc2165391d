// Generates the SDK's wire types (src/generated/openapi.ts) from the server's OpenAPI document
// with openapi-typescript. The output is committed so the SDK builds without the server; a test
// (test/generated-types.test.ts) regenerates it and fails when the committed file is stale.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import ts from 'typescript'

export const OPENAPI_DOCUMENT = join(import.meta.dirname, '../../server/openapi.json')
export const GENERATED_TYPES = join(import.meta.dirname, '../src/generated/openapi.ts')

// The recursive JsonValue component becomes this alias: TypeScript cannot resolve the
// `components["schemas"]["JsonValue"][]` that openapi-typescript writes for it (TS2502).
const JSON_VALUE = 'type Json = string | number | boolean | null | Json[] | { [key: string]: Json }'

const HEADER = `// Generated from packages/server/openapi.json by openapi-typescript: do not edit.
// Regenerate with \`npm run openapi\` (server document and SDK types) or \`npm run sdk-types\`.

${JSON_VALUE}

`

/** The TypeScript source openapi-typescript makes of `document`. */
export async function openApiTypes(document: OpenAPI3): Promise<string> {
  const nodes = await openapiTS(document, {
    // A default is what the server fills in for a field left out: the field stays optional.
    defaultNonNullable: false,
    transform: (_schema, { path }) =>
      path === '#/components/schemas/JsonValue' ? ts.factory.createTypeReferenceNode('Json') : undefined,
  })
  return HEADER + astToString(nodes)
}

export async function readOpenApiDocument(): Promise<OpenAPI3> {
  return JSON.parse(await readFile(OPENAPI_DOCUMENT, 'utf8')) as OpenAPI3
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(GENERATED_TYPES, await openApiTypes(await readOpenApiDocument()))
  console.log(`wrote ${GENERATED_TYPES}`)
}
