/** The handlers an MCP client installs on the SDK client: elicitation requests and server log notifications. */
import type { Client } from '@modelcontextprotocol/client';
import type { Logger } from '../core/logger.ts';
import { errorText, type LogListener } from './client-support.ts';
import { applyElicitationDefaults, type ElicitationHandler, type ElicitationResponse } from './elicitation.ts';

/** What the handlers need of the MCP client. */
export interface ClientHandlerContext {
  logger: Logger;
  server: string;
  /** The handler of an elicitation request now: the latest in-flight call's, else the client's first. */
  elicitationHandler(): ElicitationHandler | undefined;
  logListeners: ReadonlySet<LogListener>;
}

/**
 * Answer `elicitation/create` with the current handler (`decline` without one; form-mode answers get the schema's
 * defaults, SEP-1034) and pass `notifications/message` to every log listener (a listener that throws is logged).
 */
export function installClientHandlers(client: Client, context: ClientHandlerContext): void {
  const { logger, server } = context;
  client.setRequestHandler('elicitation/create', async (request, ctx) => {
    const params = request.params;
    const handler = context.elicitationHandler();
    if (!handler) {
      logger.info('Declined an elicitation request: no elicitation handler is configured', { server });
      return { action: 'decline' };
    }
    const answer: ElicitationResponse = await handler(params, { signal: ctx.mcpReq.signal });
    if (answer.action === 'accept' && (params.mode ?? 'form') === 'form' && 'requestedSchema' in params) {
      return {
        ...answer,
        content: applyElicitationDefaults(
          params.requestedSchema,
          answer.content ?? {},
        ) as ElicitationResponse['content'],
      };
    }
    return answer;
  });
  client.setNotificationHandler('notifications/message', (notification) => {
    const entry = notification.params;
    logger.debug('MCP server log', { server, level: entry.level, logger: entry.logger });
    for (const listener of context.logListeners) {
      try {
        listener(entry);
      } catch (error) {
        logger.warn('A log listener threw', { error: errorText(error) });
      }
    }
  });
}
