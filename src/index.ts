/**
 * mcptool — the tools of any MCP server for agents, with a complete OAuth 2.1 client.
 *
 * This file names every public export of the package root, in four groups: the tools and the servers they come
 * from, OAuth and token storage, the interfaces a program implements or annotates with, and the errors with their
 * table of codes. These names are stable (README, "Public API"). What is held back on purpose: the CLI's helpers, the
 * MCP client under the tools, the OAuth engine's seam and the token store's locking helpers; programs reach them
 * through the classes below. `RedisTokenStore` is in `mcptool/redis`; the agent framework adapters are in
 * `mcptool/ai-sdk`, `mcptool/openai`, `mcptool/langchain`, `mcptool/mastra` and `mcptool/openai-agents`.
 */

export type { CredentialStatus } from './auth/account.ts';
export { listCredentials } from './auth/account.ts';
export type {
  AuthorizationHandler,
  AuthorizationSession,
  CallbackMode,
  EnterpriseOptions,
  OAuthConfigOptions,
  OAuthFlow,
  RedirectOptions,
  TokenEndpointAuthMethod,
} from './auth/config.ts';
export { OAuthConfig } from './auth/config.ts';
export type { DiscoveryAttempt } from './auth/discovery/discover.ts';
export { DiscoveryError } from './auth/discovery/discover.ts';
export { EngineRegistry } from './auth/engine/registry.ts';
export {
  AuthorizationServerUnavailableError,
  ForbiddenAddressError,
  InsecureEndpointError,
  InsufficientScopeError,
  IssuerMismatchError,
  OAuthError,
  OAuthServerError,
  OriginMismatchError,
  ResourceMismatchError,
} from './auth/errors.ts';
export { RedirectRefusedError } from './auth/hardened-fetch.ts';
export { BrowserOpenError } from './auth/interactive/browser.ts';
export { functionAuthorizationHandler } from './auth/interactive/handler.ts';
export { CallbackPortError } from './auth/interactive/loopback.ts';
export type { FileTokenStoreOptions } from './auth/store/file.ts';
export { FileTokenStore } from './auth/store/file.ts';
export { MemoryTokenStore } from './auth/store/memory.ts';
export type {
  LockOptions,
  StoredClient,
  StoredTokens,
  StoreLock,
  TokenRecord,
  TokenRecordKey,
  TokenStore,
} from './auth/store/types.ts';
export type { Clock } from './core/clock.ts';
export type { MCPErrorCode, OAuthErrorCode } from './core/errors.ts';
export {
  ErrorCode,
  InvalidOptionError,
  McptoolError,
  SecretError,
  SerializationError,
} from './core/errors.ts';
export type { Logger } from './core/logger.ts';
export { Secret } from './core/secret.ts';
export type { JsonValue, SerializedObject } from './core/serialization.ts';
export type { LogListener, ProgressListener, ServerLogEntry, ToolProgress } from './mcp/client.ts';
export type { InvokeOptions, JsonSchema, MCPConnectionOptions, Tool, Toolset } from './mcp/common.ts';
export type { ConnectionPoolOptions } from './mcp/connection-pool.ts';
export { ConnectionPool } from './mcp/connection-pool.ts';
export type { ElicitationHandler, ElicitationRequest, ElicitationResponse } from './mcp/elicitation.ts';
export {
  MCPConnectionError,
  MCPConnectionLostError,
  MCPError,
  MCPInvocationError,
  MCPToolNotFoundError,
} from './mcp/errors.ts';
export type { MCPContentBlock, MCPToolResult } from './mcp/result.ts';
export { resultToText } from './mcp/result.ts';
export type { HttpServerInfoOptions, SecretValue, ServerInfo, StdioServerInfoOptions } from './mcp/server-info.ts';
export { SSEServerInfo, StdioServerInfo, StreamableHttpServerInfo } from './mcp/server-info.ts';
export type { MCPToolOptions } from './mcp/tool.ts';
export { MCPTool } from './mcp/tool.ts';
export type { MCPToolsetOptions } from './mcp/toolset.ts';
export { MCPToolset } from './mcp/toolset.ts';
