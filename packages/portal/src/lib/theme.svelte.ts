// Light and dark themes: the system's preference until the user picks one (kept per tab).
const KEY = 'periodic.theme'

class Theme {
  value = $state<'light' | 'dark'>(
    (sessionStorage.getItem(KEY) as 'light' | 'dark' | null) ??
      (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  )

  constructor() {
    $effect.root(() => {
      $effect(() => {
        document.documentElement.dataset['theme'] = this.value
      })
    })
  }

  toggle(): void {
    this.value = this.value === 'dark' ? 'light' : 'dark'
    sessionStorage.setItem(KEY, this.value)
  }
}

export const theme = new Theme()
