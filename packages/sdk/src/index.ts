// @periodic/sdk: the TypeScript client for Periodic. Everything public is exported here.

export {
  type AgentEmailAlias,
  type AgentEmailAliasDeleted,
  type AgentEmailAliasList,
  type AgentEmailTrigger,
  AgentEmailTriggersApi,
  type CreateEmailAliasInput,
  type UpdateEmailAliasInput,
} from './agent-email-triggers-api.ts'
export {
  type AgentDetail,
  type AgentFile,
  type AgentFileContent,
  type AgentFileList,
  type AgentFilesOptions,
  type AgentFilesWritten,
  type AgentList,
  type AgentModel,
  type AgentSummary,
  AgentsApi,
  type AgentVersion,
  type AgentVersionList,
  type CreateAgentBody,
  type GetAgentOptions,
  type ListAgentsOptions,
  type UpdateAgentBody,
  type WriteAgentFilesOptions,
} from './agents-api.ts'
export {
  type Automation,
  type AutomationFilters,
  type AutomationSyncResponse,
  AutomationsApi,
  type AutomationsPage,
} from './automations-api.ts'
export type { CircleEvent, CircleEventsOptions } from './circle-events-api.ts'
export {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type FetchFunction,
  type PeriodicClientOptions,
} from './client-options.ts'
export {
  type CookieFormat,
  CookieJarElement,
  type ExportCookiesOptions,
  type ImportCookiesOptions,
  type JarCookie,
  type JarDescription,
} from './cookie-jar-element.ts'
export {
  type CallOptions,
  ElementHandle,
  ElementsApi,
  type ListChildrenOptions,
} from './elements-api.ts'
export {
  AuthError,
  ConflictError,
  ConnectionError,
  type ErrorEnvelope,
  ForbiddenError,
  NotFoundError,
  PeriodicError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './errors.ts'
export type { HttpMethod, Query, QueryValue, RequestOptions } from './http-transport.ts'
export { PaginatedList } from './paginated-list.ts'
export { PeriodicClient } from './periodic-client.ts'
export {
  type BuildOptions,
  type InlineResult,
  type InlineRunOptions,
  type InvokeOptions,
  type LogsOptions,
  PythonElement,
  type PythonRunsOptions,
  type PythonState,
  type PythonTemplate,
  type RefOption,
  type ScaffoldOptions,
  type ScaffoldResult,
} from './python-element.ts'
export type { RetryTiming } from './retry-policy.ts'
export type {
  ExpectedDocument,
  FeedbackRating,
  FieldComparison,
  ResolveFeedbackOptions,
  RunComparison,
  RunFeedback,
  RunFeedbackUpdate,
  RunTrace,
  UpdateFeedbackOptions,
} from './run-annotations-api.ts'
export { RunComparisonApi, RunExpectedApi, RunFeedbackApi, RunTraceApi } from './run-annotations-api.ts'
export {
  type FileContent,
  type RunArtifact,
  type RunArtifactList,
  RunArtifactsApi,
  RunFilesApi,
  type RunInputFile,
} from './run-files-api.ts'
export {
  type CompareRunsOptions,
  type GetRunOptions,
  isFinished,
  type RerunOptions,
  type RunDefinition,
  type RunEventsOptions,
  type RunExpansion,
  type RunFilters,
  type RunStep,
  type RunSteps,
  RunsApi,
  type RunsComparison,
  type StartRunOptions,
  type WaitForRunOptions,
} from './runs-api.ts'
export type {
  BundleImport,
  EnvironmentSnapshot,
  FixturesReport,
  Promotion,
  SourceBranch,
  SourceBranchInfo,
  SourceFile,
  SourceProblem,
  SourceStatus,
} from './source-api.ts'
export { SourceHandle } from './source-api.ts'
export { type ServerSentEvent, SseParser } from './sse-parser.ts'
export * from './types.ts'
export type { WaitForCompletion } from './wait-for-completion.ts'
export type { BroadcastResult, WebSocketConnection, WebSocketConnections } from './websocket-element.ts'
export { WebSocketElement } from './websocket-element.ts'
export {
  type ListWorkflowsOptions,
  type ListWorkflowVersionsOptions,
  type RunAndWaitOptions,
  type WorkflowDetail,
  WorkflowExecutionsApi,
  type WorkflowFileInput,
  type WorkflowKind,
  type WorkflowList,
  type WorkflowSummary,
  WorkflowsApi,
  type WorkflowVersion,
  type WorkflowVersionList,
} from './workflows-api.ts'
