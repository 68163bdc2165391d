// How commits of an element's Source repository relate: what a promotion brings and whether it
// fast-forwards, and counts between two commits. A short linear history is walked in-process;
// anything else asks `git rev-list`.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import { promisify } from 'node:util'
import git from 'isomorphic-git'

const execFileAsync = promisify(execFile)

/**
 * What promoting `source` onto a branch at `target` (null: empty) means: the commits `target`
 * has that `source` lacks (`behind`, must be 0 to fast-forward) and the commits it brings.
 * Walks a linear history in-process (a promotion usually moves a few commits); a merge, a
 * long walk or a target off the line asks `git rev-list`, which a walk cannot answer cheaply.
 */
export async function promotion(
  gitdir: string,
  target: string | null,
  source: string,
): Promise<{ behind: number; promoted: number }> {
  if (target === source) return { behind: 0, promoted: 0 }
  let oid = source
  for (let steps = 0; steps < 64; steps++) {
    const { parent } = (await git.readCommit({ fs, gitdir, oid })).commit
    if (parent.length === 0 && target === null) return { behind: 0, promoted: steps + 1 }
    if (parent.length !== 1) break
    if (parent[0] === target) return { behind: 0, promoted: steps + 1 }
    oid = parent[0]!
  }
  if (target === null) return { behind: 0, promoted: await countBetween(gitdir, source, null) }
  const { onlyA, onlyB } = await divergence(gitdir, target, source)
  return { behind: onlyA, promoted: onlyB }
}

/** Commits only `a` has and commits only `b` has (one git call; `a` before any commit of `b`). */
export async function divergence(
  gitdir: string,
  a: string,
  b: string,
): Promise<{ onlyA: number; onlyB: number }> {
  const { stdout } = await execFileAsync('git', [
    '--git-dir',
    gitdir,
    'rev-list',
    '--left-right',
    '--count',
    `${a}...${b}`,
  ])
  const [onlyA, onlyB] = stdout.trim().split(/\s+/).map(Number)
  return { onlyA: onlyA ?? 0, onlyB: onlyB ?? 0 }
}

/** How many commits `commit` has that `base` (null: nothing) lacks. */
export async function countBetween(gitdir: string, commit: string, base: string | null): Promise<number> {
  const range = base ? `${base}..${commit}` : commit
  const { stdout } = await execFileAsync('git', ['--git-dir', gitdir, 'rev-list', '--count', range])
  return Number(stdout.trim())
}
