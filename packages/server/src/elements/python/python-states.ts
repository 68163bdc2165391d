// The python type's states and the moves `lifecycle` may make between them. `deployed` and
// `error` are earned by runs, `disabled` and `deleted` belong to disable/delete: lifecycle only
// steps back to `draft`, or to `ready` when the source is runnable.

export const PYTHON_STATES = ['draft', 'ready', 'deployed', 'error', 'disabled', 'deleted'] as const
export type PythonState = (typeof PYTHON_STATES)[number]

/** Targets lifecycle may move to, by current state. */
export const LIFECYCLE_MOVES: Partial<Record<PythonState, PythonState[]>> = {
  draft: ['ready'],
  ready: ['draft'],
  deployed: ['draft', 'ready'],
  error: ['draft', 'ready'],
}

/** Why a target is not lifecycle's to reach, said the way a caller can act on. */
export const NOT_BY_LIFECYCLE: Partial<Record<PythonState, string>> = {
  deployed: 'an element becomes deployed when a run succeeds; invoke it',
  error: 'an element enters error after repeated failed runs',
  disabled: 'use the disable operation',
  deleted: 'use the delete operation',
}
