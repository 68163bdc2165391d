// Every generic operation, in the order `schema` and the OpenAPI document list them.
import type { OperationDef } from '../element.ts'
import { bundleOperations } from '../source/bundle-operations.ts'
import { fixturesOperation } from '../source/fixtures-operation.ts'
import { promoteOperation } from '../source/project-environments.ts'
import { sourceCheckOperations } from '../source/source-check-operations.ts'
import { sourceOperations } from '../source/source-operations.ts'
import { attachmentOperations } from './attachment-operations.ts'
import { graphOperations } from './graph-operations.ts'
import { lifecycleOperations } from './lifecycle-operations.ts'
import { readOperations } from './read-operations.ts'
import { statsOperations } from './stats-operations.ts'

export const genericOperations: OperationDef[] = [
  ...readOperations,
  ...lifecycleOperations,
  ...attachmentOperations,
  ...graphOperations,
  ...statsOperations,
  ...sourceOperations,
  ...sourceCheckOperations,
  ...bundleOperations,
  fixturesOperation,
  promoteOperation,
]
