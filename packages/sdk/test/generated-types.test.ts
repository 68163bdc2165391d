// The SDK's generated wire types are fresh: regenerating them from the committed openapi.json
// gives the committed src/generated/openapi.ts byte for byte.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { GENERATED_TYPES, openApiTypes, readOpenApiDocument } from '../scripts/openapi-types.ts'

describe('generated OpenAPI types', () => {
  it('match the committed openapi.json', async () => {
    const committed = await readFile(GENERATED_TYPES, 'utf8').catch(() => '')
    expect(
      committed === (await openApiTypes(await readOpenApiDocument())),
      'packages/sdk/src/generated/openapi.ts is stale: run `npm run openapi` and commit the result',
    ).toBe(true)
  })
})
