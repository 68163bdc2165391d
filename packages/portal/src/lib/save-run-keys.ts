// The editors' keyboard shortcuts: Ctrl/Cmd+S saves, Ctrl/Cmd+Enter runs (code runner, agent view).
export function saveRunKeydown(save: () => unknown, run: () => unknown): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.defaultPrevented || !(e.ctrlKey || e.metaKey)) return
    if (e.key === 's') {
      e.preventDefault()
      void save()
    } else if (e.key === 'Enter') {
      e.preventDefault()
      void run()
    }
  }
}
