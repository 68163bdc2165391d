// The docs site (`npm run docs`): VitePress over docs/, built into docs/.vitepress/dist. Dead
// links fail the build (the default, kept on), so CI catches a broken link between pages.
import { defineConfig } from 'vitepress'

const elements = [
  { text: 'Python', link: '/elements/python' },
  { text: 'WebSocket', link: '/elements/websocket' },
  { text: 'Browser', link: '/elements/browser' },
  { text: 'Cookie jar', link: '/elements/cookie-jar' },
  { text: 'Variable', link: '/elements/variable' },
  { text: 'Rate limit', link: '/elements/rate-limit' },
  { text: 'Circle and project', link: '/elements/circle-project' },
]

const engine = [
  { text: 'Overview', link: '/engine/overview' },
  { text: 'Functions', link: '/engine/functions' },
  { text: 'Triggers', link: '/engine/triggers' },
  { text: 'Streams', link: '/engine/streams' },
  { text: 'Pub/sub', link: '/engine/pubsub' },
  { text: 'iii drop-in', link: '/engine/iii-drop-in' },
  { text: 'Observability', link: '/engine/observability' },
]

const operations = [
  { text: 'Storage', link: '/operations/storage' },
  { text: 'Several nodes', link: '/operations/nodes' },
  { text: 'Redis', link: '/operations/redis' },
  { text: 'Security', link: '/operations/security' },
  { text: 'Health, metrics, events', link: '/operations/monitoring' },
]

export default defineConfig({
  title: 'Periodic',
  description: 'A self-hosted platform of composable elements',
  cleanUrls: true,
  lastUpdated: false,
  ignoreDeadLinks: false,
  themeConfig: {
    nav: [
      { text: 'Concepts', link: '/concepts' },
      { text: 'API', link: '/api' },
      { text: 'Elements', link: '/elements/python' },
      { text: 'Engine', link: '/engine/overview' },
      { text: 'Operations', link: '/operations/storage' },
    ],
    sidebar: [
      {
        text: 'Start',
        items: [
          { text: 'Home', link: '/' },
          { text: 'Concepts', link: '/concepts' },
          { text: 'Portal', link: '/portal' },
          { text: 'CLI and SDK', link: '/cli-sdk' },
          { text: 'Configuration', link: '/configuration' },
        ],
      },
      {
        text: 'API',
        items: [
          { text: 'Element API', link: '/api' },
          { text: 'Runs API', link: '/runs' },
          { text: 'Live events', link: '/events' },
          { text: 'MCP endpoint', link: '/mcp' },
          { text: 'Workflows', link: '/workflows' },
          { text: 'Workflows API', link: '/workflows-api' },
          { text: 'Agents', link: '/agents' },
          { text: 'Agents API', link: '/agents-api' },
          { text: 'Email triggers', link: '/email-triggers' },
          { text: 'Source (Git)', link: '/source' },
          { text: 'Rate limits and quotas', link: '/limits' },
          { text: 'Error codes', link: '/errors' },
        ],
      },
      { text: 'Element types', items: elements },
      { text: 'Engine', items: engine },
      { text: 'Operations', items: operations },
      {
        text: 'Project',
        items: [
          { text: 'Development', link: '/development' },
          { text: 'Performance', link: '/performance' },
        ],
      },
    ],
    outline: { level: [2, 3] },
    search: { provider: 'local' },
  },
})
