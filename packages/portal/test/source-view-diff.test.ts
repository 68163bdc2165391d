// The Source panel's line diff: unchanged texts give no hunks, a change keeps three lines of
// context with correct @@ ranges, and an empty side is all added or all removed.
import { describe, expect, it } from 'vitest'
import { diffLines, unifiedHunks } from '../src/views/source/unified-diff.ts'

describe('unified diff', () => {
  it('gives no hunks for equal texts', () => {
    expect(unifiedHunks('a\nb\n', 'a\nb\n')).toEqual([])
  })

  it('marks a changed line with its context and ranges', () => {
    const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n')
    const b = a.replace('5', 'five')
    const [hunk, ...rest] = unifiedHunks(a, b)
    expect(rest).toEqual([])
    expect(hunk!.header).toBe('@@ -2,7 +2,7 @@')
    expect(hunk!.lines.map((l) => l.kind + l.text)).toEqual([
      ' 2',
      ' 3',
      ' 4',
      '-5',
      '+five',
      ' 6',
      ' 7',
      ' 8',
    ])
  })

  it('splits far-apart changes into hunks and handles empty sides', () => {
    const a = Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n')
    const b = a.replace('l2\n', 'x2\n').replace('l25', 'x25')
    expect(unifiedHunks(a, b).map((h) => h.header)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@'])
    expect(unifiedHunks('', 'x\ny\n')[0]!.header).toBe('@@ -0,0 +1,2 @@')
    expect(diffLines('x\ny', '').map((l) => l.kind)).toEqual(['-', '-'])
  })
})
