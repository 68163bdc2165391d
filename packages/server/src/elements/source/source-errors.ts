// Error codes of the Source operations (every element type has them).
import { defineErrorCodes } from '../../errors.ts'

export const SOURCE = defineErrorCodes({
  SOURCE_REF_NOT_FOUND: {
    status: 404,
    class: 'not_found',
    retryable: false,
    description: 'No branch, tag or commit of that name in the element’s Source repository.',
  },
  SOURCE_REF_NOT_RUNNABLE: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The commit cannot be run: it was not made by a Periodic write (no `Periodic-Version` trailer), or its spec no longer validates (`details.error`).',
  },
  SOURCE_PATH_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'A Source path must be relative, inside the tree: no `..` segment, leading `/` or NUL.',
  },
  SOURCE_NOT_FAST_FORWARD: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'Promotion only fast-forwards: the target branch has commits the source branch lacks. `details` has both commits.',
  },
  SOURCE_PROMOTION_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'Promotion goes draft → demo or demo → live.',
  },
  SOURCE_BUSY: {
    status: 409,
    class: 'conflict',
    retryable: true,
    description: 'Another write moved the branch at the same moment; retry.',
  },
  SOURCE_BUNDLE_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The bundle is not a complete Git bundle of a Periodic element: not base64, not a bundle, truncated or corrupt, no branch, or no `.periodic/element.yaml`. Nothing was imported.',
  },
  SOURCE_BUNDLE_TOO_LARGE: {
    status: 413,
    class: 'limit',
    retryable: false,
    description:
      'A bundle (decoded) or an export exceeds the bundle size limit; `details.limit_bytes` says it.',
  },
  SOURCE_BUNDLE_CONFLICT: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'An imported element’s slug is taken by an element of another type or elsewhere in the circle, so `overwrite` cannot update it.',
  },
  SOURCE_NOT_A_PROJECT: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Only projects (manifest-form elements) have environments to `promote`; other elements promote their branches with `source/promote`.',
  },
  SOURCE_ENVIRONMENT_EMPTY: {
    status: 409,
    class: 'conflict',
    retryable: false,
    description:
      'The environment promoted from holds nothing: demo has no snapshot yet (promote dev → demo first), or the project has no members.',
  },
  SOURCE_FIXTURES_UNSUPPORTED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'Only data elements (cookie jars, variables) take Source fixtures.',
  },
  SOURCE_FIXTURES_INVALID: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'A fixture manifest under `.periodic/fixtures/` does not parse, names an operation the type does not approve for fixtures, or has a record its operation refuses. `details.problems` lists them; nothing was applied.',
  },
  SOURCE_CONFIRM_REQUIRED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description: 'Applying fixtures (or sweeping repositories) needs `dry_run: false` and `confirm: true`.',
  },
  SOURCE_FILE_NOT_KEPT: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'Written through the API, a Source tree holds only the element’s definition files (`details.kept` lists them): any other file would be dropped by its next commit. Nothing was written.',
  },
  SOURCE_TREE_REFUSED: {
    status: 400,
    class: 'validation',
    retryable: false,
    description:
      'The files were refused as a push would be (a secret, generated output, runtime data, an oversize file); `details.problems` lists them. Nothing was written.',
  },
})
