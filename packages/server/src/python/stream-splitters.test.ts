// The sentinel splitter: text passes through, sentinels end runs wherever chunks cut them, and
// a held-back tail (a line's own newline) is released after a moment instead of waiting for
// the next output.
import { describe, expect, it } from 'vitest'
import { SentinelSplitter } from './stream-splitters.ts'

function splitter() {
  const out: Array<string | { end: string }> = []
  const s = new SentinelSplitter(
    '@@S@@',
    (t) => out.push(t),
    (id) => out.push({ end: id }),
  )
  const text = () => out.filter((o) => typeof o === 'string').join('')
  return { s, out, text }
}

const settle = () => new Promise((r) => setTimeout(r, 30))

describe('SentinelSplitter', () => {
  it('cuts text at sentinels split at every position', () => {
    const all = 'one\ntwo\n\n@@S@@run1\nthree\n@@S@@run2\n'
    for (let i = 0; i <= all.length; i++) {
      const { s, out, text } = splitter()
      s.push(all.slice(0, i))
      s.push(all.slice(i))
      s.flush()
      expect(out.filter((o) => typeof o !== 'string')).toEqual([{ end: 'run1' }, { end: 'run2' }])
      expect(text()).toBe('one\ntwo\nthree')
    }
  })

  it('releases a held trailing newline when no more output follows', async () => {
    const { s, out, text } = splitter()
    s.push('tick 0\n')
    expect(text()).toBe('tick 0')
    await settle()
    expect(text()).toBe('tick 0\n')
    // The run's sentinel later still ends it, and nothing is passed on twice.
    s.push('tick 1\n\n@@S@@r\n')
    expect(text()).toBe('tick 0\ntick 1\n')
    expect(out.at(-1)).toEqual({ end: 'r' })
  })

  it('still recognises a sentinel that began in released text', async () => {
    const { s, out, text } = splitter()
    s.push('no newline at the end')
    s.push('\n')
    await settle()
    s.push('@@S@@r\n')
    expect(out.at(-1)).toEqual({ end: 'r' })
    expect(text()).toBe('no newline at the end\n')
  })
})
