// CodeMirror 6 for the code runner and the agent's AGENT.md: basicSetup, Python or JSON (or the
// caller's extensions, e.g. Markdown), and a theme made of the portal's CSS variables, so light
// and dark follow the page without reconfiguring the editor. Only the chunks of those views
// import this (the shell never loads CodeMirror).
import { json } from '@codemirror/lang-json'
import { python } from '@codemirror/lang-python'
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { EditorState, type Extension, Prec } from '@codemirror/state'
import { keymap, placeholder } from '@codemirror/view'
import { tags as t } from '@lezer/highlight'
import { basicSetup, EditorView } from 'codemirror'

const theme = EditorView.theme({
  '&': {
    backgroundColor: 'var(--surface)',
    color: 'var(--text)',
    height: '100%',
    fontSize: '13.5px',
  },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '.cm-gutters': {
    backgroundColor: 'var(--surface-2)',
    color: 'var(--muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'var(--cm-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--cm-active-line)', color: 'var(--text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection':
    { backgroundColor: 'var(--cm-selection) !important' },
  '.cm-matchingBracket': { backgroundColor: 'var(--cm-selection)', outline: '1px solid var(--border)' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-tooltip': {
    backgroundColor: 'var(--surface)',
    border: '1px solid var(--border)',
    color: 'var(--text)',
  },
  '.cm-panels': { backgroundColor: 'var(--surface-2)', color: 'var(--text)' },
})

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], color: 'var(--tok-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--tok-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--tok-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--tok-comment)', fontStyle: 'italic' },
  {
    tag: [t.function(t.variableName), t.function(t.definition(t.variableName))],
    color: 'var(--tok-function)',
  },
  { tag: [t.definition(t.variableName), t.className, t.definition(t.className)], color: 'var(--tok-def)' },
  { tag: [t.propertyName], color: 'var(--tok-property)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'var(--muted)' },
  { tag: t.invalid, color: 'var(--danger)' },
  // Markdown (AGENT.md).
  { tag: t.heading, color: 'var(--tok-def)', fontWeight: '700' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: [t.link, t.url], color: 'var(--tok-function)', textDecoration: 'underline' },
  { tag: t.monospace, color: 'var(--tok-string)' },
  { tag: [t.processingInstruction, t.contentSeparator], color: 'var(--muted)' },
])

export interface EditorOptions {
  doc: string
  language: 'python' | 'json' | 'text'
  label: string
  placeholder?: string
  readOnly?: boolean
  onChange?: (doc: string) => void
  /** Ctrl/Cmd+S. */
  onSave?: () => void
  /** Ctrl/Cmd+Enter. */
  onRun?: () => void
  /** More extensions (a language the runner does not load itself, e.g. Markdown). */
  extensions?: Extension[]
}

export function createEditor(parent: HTMLElement, o: EditorOptions): EditorView {
  const shortcuts = Prec.highest(
    keymap.of([
      {
        key: 'Mod-s',
        preventDefault: true,
        run: () => {
          o.onSave?.()
          return true
        },
      },
      {
        key: 'Mod-Enter',
        preventDefault: true,
        run: () => {
          o.onRun?.()
          return true
        },
      },
    ]),
  )
  const extensions: Extension[] = [
    shortcuts,
    basicSetup,
    theme,
    syntaxHighlighting(highlight),
    EditorView.contentAttributes.of({ 'aria-label': o.label }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) o.onChange?.(u.state.doc.toString())
    }),
  ]
  if (o.language === 'python') extensions.push(python())
  if (o.language === 'json') extensions.push(json())
  if (o.extensions) extensions.push(...o.extensions)
  if (o.placeholder) extensions.push(placeholder(o.placeholder))
  if (o.readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false))
  return new EditorView({ parent, state: EditorState.create({ doc: o.doc, extensions }) })
}
