import * as oauth from 'oauth4webapi';
import type { Logger } from '../../core/logger.ts';
import type { TokenRecord, TokenStore } from '../store/types.ts';
import type { TokenAcquirer } from './acquire.ts';
import type { AuthServices } from './services.ts';

/** What sign-out needs of the engine. */
export interface RevocationContext {
  serverUrl: URL;
  services: AuthServices;
  store: TokenStore;
  logger: Logger;
  acquirer: Pick<TokenAcquirer, 'grantContext'>;
}

/**
 * Sign out of one stored record: revoke its refresh token (else its access token) where the authorization server
 * offers RFC 7009 revocation, then delete the record. Revocation is best effort: a failure is logged and the record
 * is deleted anyway.
 * @returns Whether the token was revoked.
 */
export async function revokeAndDelete(
  record: TokenRecord,
  context: RevocationContext,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  let revoked = false;
  const asMeta = record.discovery?.authorization_server_metadata as oauth.AuthorizationServer | undefined;
  const token = record.tokens?.refresh_token ?? record.tokens?.access_token;
  if (asMeta?.revocation_endpoint && record.client && token) {
    try {
      const discovery = context.services.fromCache(context.serverUrl, record);
      if (discovery) {
        const ctx = await context.acquirer.grantContext(asMeta, record.client, discovery, signal);
        const options = ctx.requestOptions(asMeta.revocation_endpoint, signal) as oauth.RevocationRequestOptions;
        const response = await oauth.revocationRequest(asMeta, ctx.client, ctx.clientAuth, token, options);
        await oauth.processRevocationResponse(response);
        revoked = true;
      }
    } catch (error) {
      context.logger.warn('token revocation failed; the stored record is deleted anyway', {
        code: (error as { code?: string }).code,
      });
    }
  }
  await context.store.delete(record);
  return revoked;
}
