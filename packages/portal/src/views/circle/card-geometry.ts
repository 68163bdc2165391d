// Sizes and default places of canvas cards: every card is the same size, and an element without
// a saved position (meta.canvas) takes the grid slot of its index, so a new circle is tidy
// before anyone drags anything.
import type { ElementJson } from '../../lib/types.ts'
import { type Position, positionOf } from './circle-store.svelte.ts'

export const CARD_W = 220
export const CARD_H = 112
export const GAP = 24
export const COLUMNS = 6
/** How far an arrow key moves a focused card. */
export const KEY_STEP = 16

export function gridSlot(index: number): Position {
  return {
    x: GAP + (index % COLUMNS) * (CARD_W + GAP),
    y: GAP + Math.floor(index / COLUMNS) * (CARD_H + GAP),
  }
}

/** Each element's place: its saved position, else its grid slot. */
export function layout(elements: ElementJson[]): Position[] {
  return elements.map((el, i) => positionOf(el) ?? gridSlot(i))
}

/** Positions are kept on the canvas (never negative) and whole pixels. */
export function clampPosition(p: Position): Position {
  return { x: Math.max(0, Math.round(p.x)), y: Math.max(0, Math.round(p.y)) }
}

/** Badge tone of a state name. */
export function stateTone(state: string): 'ok' | 'warn' | 'danger' | '' {
  if (/^(ready|deployed|running|populated|built|active|connected|succeeded)$/.test(state)) return 'ok'
  if (/(error|fail|crash|orphan)/.test(state)) return 'danger'
  if (/^(disabled|stopped|empty|deleted|draft)$/.test(state)) return ''
  return 'warn'
}

export function stateText(el: ElementJson): string {
  const s = el.state as unknown
  return typeof s === 'string'
    ? s
    : s && typeof s === 'object'
      ? String((s as { status?: unknown }).status ?? '')
      : ''
}
