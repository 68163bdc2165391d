// The aria-describedby of a control: its help text and its error, when it has them.
export function describedBy(id: string, description?: string, error?: string): string | undefined {
  const ids = [description ? `${id}--help` : '', error ? `${id}--error` : ''].filter(Boolean)
  return ids.length ? ids.join(' ') : undefined
}
