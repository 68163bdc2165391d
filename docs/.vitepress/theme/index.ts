// The default VitePress theme, with a wider page for the reference tables (configuration, error
// codes, operations), which are unreadable in the default 688 px column.
import DefaultTheme from 'vitepress/theme'
import './wide-pages.css'

export default DefaultTheme
