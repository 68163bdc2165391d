// python-layer: a named, versioned set of Python files and pip requirements that python elements
// of the same circle list in spec.layers (`libs/common`, or pinned `libs/common@3`). The python
// runtime mounts it read-only on their sys.path (python/layer-mounts.ts); it runs nothing itself.
import { defineElement } from '../element.ts'
import { assertValidRequirements } from '../python/requirement-lines.ts'
import { deleteOperation, PYTHON_LAYER_ERRORS } from './delete-operation.ts'
import { layerSourceFiles, layerSpecFromSource } from './layer-source-files.ts'
import { pythonLayerRules, pythonLayerSpec } from './layer-spec.ts'

export const pythonLayerType = defineElement({
  type: 'python-layer',
  name: 'Python layer',
  description:
    'Shared Python modules and pip requirements, mounted read-only on the sys.path of the python elements that list it in spec.layers.',
  symbol: 'Pl',
  category: 'actions',
  form: 'atom',
  spec: pythonLayerSpec,
  rules: pythonLayerRules,
  // PEP 508 per requirement, so a typo is a 400 naming its line, not a failed build later.
  preValidate: assertValidRequirements,
  states: ['ready', 'disabled', 'deleted'],
  initialState: 'ready',
  errors: PYTHON_LAYER_ERRORS,
  operations: [deleteOperation],
  sourceFiles: layerSourceFiles,
  specFromSource: layerSpecFromSource,
  capabilities: ['pip-dependencies', 'shared-code'],
  events: ['element.updated'],
})
