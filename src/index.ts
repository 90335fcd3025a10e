/**
 * mcptool — the tools of any MCP server for agents, with a complete OAuth 2.1 client.
 * This file names every public export.
 */

export type { CredentialStatus, RemovedCredential } from './auth/account.ts';
export { describeRecord, listCredentials, signIn, signOut } from './auth/account.ts';
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
export type { ConnectionAuth, ConnectionAuthOptions } from './auth/connection-auth.ts';
export { createConnectionAuth } from './auth/connection-auth.ts';
export type { OAuthErrorCode } from './auth/errors.ts';
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
export { canOpenBrowser, openBrowser } from './auth/interactive/browser.ts';
export type { DefaultAuthorizationHandlerOptions } from './auth/interactive/handler.ts';
export { createDefaultAuthorizationHandler, functionAuthorizationHandler } from './auth/interactive/handler.ts';
export type { PasteInput } from './auth/interactive/manual.ts';
export { streamPasteInput } from './auth/interactive/manual.ts';
export type { InteractionUI } from './auth/interactive/ui.ts';
// auth
export type { FileTokenStoreOptions } from './auth/store/file.ts';
export { FileTokenStore } from './auth/store/file.ts';
export type { ServerLookup } from './auth/store/lookup.ts';
export { findServerRecords } from './auth/store/lookup.ts';
export { MemoryTokenStore } from './auth/store/memory.ts';
export { defaultTokenStoreDir } from './auth/store/paths.ts';
export type {
  LockOptions,
  StoredClient,
  StoredTokens,
  StoreLock,
  TokenRecord,
  TokenRecordKey,
  TokenStore,
} from './auth/store/types.ts';
export { withLock } from './auth/store/with-lock.ts';
export type { Clock } from './core/clock.ts';
export { InvalidOptionError, McptoolError, SecretError, SerializationError } from './core/errors.ts';
export type { Logger } from './core/logger.ts';
// core
export { Secret } from './core/secret.ts';
export type { JsonValue, Serializable, SerializedObject } from './core/serialization.ts';
export { deserialize } from './core/serialization.ts';

// mcp
export type {
  CallToolOptions,
  LogListener,
  MCPClientOptions,
  OperationOptions,
  ProgressListener,
  ServerLogEntry,
  ToolProgress,
} from './mcp/client.ts';
export { MAX_LIST_PAGES, MCPClient } from './mcp/client.ts';
export type { InvokeOptions, JsonSchema, MCPConnectionOptions, Tool, Toolset } from './mcp/common.ts';
export type { ElicitationHandler, ElicitationRequest, ElicitationResponse } from './mcp/elicitation.ts';
export { applyElicitationDefaults } from './mcp/elicitation.ts';
export type { MCPErrorCode } from './mcp/errors.ts';
export {
  MCPConnectionError,
  MCPConnectionLostError,
  MCPError,
  MCPInvocationError,
  MCPToolNotFoundError,
} from './mcp/errors.ts';
export type { MCPContentBlock, MCPToolResult } from './mcp/result.ts';
export { contentBlockToText, resultToText } from './mcp/result.ts';
export type { HttpServerInfoOptions, SecretValue, ServerInfo, StdioServerInfoOptions } from './mcp/server-info.ts';
export {
  SSEServerInfo,
  StdioServerInfo,
  StreamableHttpServerInfo,
  serverInfoFromDict,
} from './mcp/server-info.ts';
export type { MCPToolOptions } from './mcp/tool.ts';
export { MCPTool } from './mcp/tool.ts';
export type { MCPToolsetOptions } from './mcp/toolset.ts';
export { MCPToolset } from './mcp/toolset.ts';
export { createClient, SSEClient, StdioClient, StreamableHttpClient } from './mcp/transports.ts';
