import { setTimeout as delay } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import { type Clock, systemClock } from '../../core/clock.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { isSecureOrLoopback } from '../../core/url.ts';
import { InsecureEndpointError, OAuthError, OAuthServerError } from '../errors.ts';
import { assertSecureEndpoint, type FetchLike, hardenFetch, oauth4webapiOptions } from '../hardened-fetch.ts';
import { abortedError } from './callback-params.ts';
import { formatDuration } from './loopback.ts';
import { type InteractionUI, printable } from './ui.ts';

/** RFC 8628 §3.2: the polling interval when the server gives none, in seconds. */
export const DEFAULT_DEVICE_INTERVAL_S = 5;
/** RFC 8628 §3.5: how much `slow_down` adds to the interval, in seconds. */
export const SLOW_DOWN_INCREMENT_S = 5;

/** Options of {@link runDeviceAuthorization}. */
export interface DeviceAuthorizationOptions {
  /** Space-separated scopes to request. */
  scope?: string;
  /** RFC 8707 resource indicator(s), sent on the device authorization and token requests. */
  resource?: string | readonly string[];
  /** Where the user code and verification URI are shown. */
  ui: InteractionUI;
  signal?: AbortSignal;
  /** Default: the system clock. The code's lifetime (`expires_in`) is measured with it. */
  clock?: Clock;
  /** Waits `ms` between polls; must reject when `signal` aborts. Default: a real timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Default `globalThis.fetch`; wrapped in the hardened auth fetch (`hardenFetch`). */
  fetch?: FetchLike;
  /** Timeout of each HTTP request, in ms. Default 30000. */
  requestTimeoutMs?: number;
  logger?: Logger;
}

function checkEndpoint(what: string, value: string | undefined): URL {
  if (value === undefined) {
    throw new OAuthError('DISCOVERY_FAILED', `The authorization server metadata has no ${what}`);
  }
  return assertSecureEndpoint(value, what);
}

/** What the steps of one device authorization share. */
interface DeviceFlow {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientAuth: oauth.ClientAuth;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** The oauth4webapi options of a request to `url`. */
  httpOptions: (url: URL) => oauth.HttpRequestOptions<'POST', URLSearchParams>;
  /** RFC 8707 resource indicators, sent on both requests. */
  resources: string[];
}

/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628) with oauth4webapi: request a device code (§3.1), show the
 * user code and verification URI (§3.3; the complete URI when given), then poll the token endpoint (§3.4) every
 * `interval` seconds (default 5), adding 5 seconds on `slow_down` and continuing on `authorization_pending`
 * (§3.5). Stops with `ACCESS_DENIED` on `access_denied`, `CALLBACK_TIMEOUT` when the code expires (`expires_in`
 * or `expired_token`), `ABORTED` on abort. Returns the token endpoint response.
 */
export async function runDeviceAuthorization(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  clientAuth: oauth.ClientAuth,
  options: DeviceAuthorizationOptions,
): Promise<oauth.TokenEndpointResponse> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  const sleep = options.sleep ?? ((ms: number, s: AbortSignal) => delay(ms, undefined, { signal: s }));
  const fetch = hardenFetch({ fetch: options.fetch, timeoutMs: options.requestTimeoutMs, logger });
  const deviceEndpoint = checkEndpoint('device_authorization_endpoint', as.device_authorization_endpoint);
  const tokenEndpoint = checkEndpoint('token_endpoint', as.token_endpoint);
  const flow: DeviceFlow = {
    as,
    client,
    clientAuth,
    clock,
    logger,
    signal,
    // allowInsecureRequests is decided per URL (loopback http only) by oauth4webapiOptions.
    httpOptions: (url) => oauth4webapiOptions(url, { fetch, signal }),
    resources: options.resource === undefined ? [] : [options.resource].flat(),
  };
  const authorization = await requestDeviceCode(flow, deviceEndpoint, options.scope);
  const started = clock.now();
  showUserCode(options.ui, authorization);
  return pollForToken(flow, tokenEndpoint, authorization, started, sleep);
}

/** RFC 8628 §3.1–3.2: the device authorization request and its response. */
async function requestDeviceCode(
  flow: DeviceFlow,
  deviceEndpoint: URL,
  scope: string | undefined,
): Promise<oauth.DeviceAuthorizationResponse> {
  const { as, client, signal } = flow;
  const params = new URLSearchParams();
  if (scope) params.set('scope', scope);
  for (const r of flow.resources) params.append('resource', r);
  try {
    const response = await oauth.deviceAuthorizationRequest(
      as,
      client,
      flow.clientAuth,
      params,
      flow.httpOptions(deviceEndpoint),
    );
    return await oauth.processDeviceAuthorizationResponse(as, client, response);
  } catch (err) {
    if (signal.aborted) throw abortedError(signal);
    throw toOAuthError(err, 'The device authorization request failed', 'AUTHORIZATION_FAILED');
  }
}

/** RFC 8628 §3.3: show the user code and where to enter it (the complete URI when given, §3.3.1). */
function showUserCode(ui: InteractionUI, authorization: oauth.DeviceAuthorizationResponse): void {
  const verificationUri = displayUri(authorization.verification_uri);
  const complete =
    authorization.verification_uri_complete === undefined
      ? undefined
      : displayUri(authorization.verification_uri_complete);
  const code = printable(authorization.user_code);
  ui.show(
    complete
      ? `To sign in, open:\n\n  ${complete}\n\nand check that it shows the code ${code}` +
          ` (or open ${verificationUri} and enter it).`
      : `To sign in, open ${verificationUri} and enter the code:\n\n  ${code}\n`,
  );
  ui.progress?.(`Waiting for the sign-in (the code expires in ${formatDuration(authorization.expires_in * 1000)})…`);
}

/** RFC 8628 §3.4–3.5: poll the token endpoint every `interval` seconds until a token, a refusal or expiry. */
async function pollForToken(
  flow: DeviceFlow,
  tokenEndpoint: URL,
  authorization: oauth.DeviceAuthorizationResponse,
  started: number,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
): Promise<oauth.TokenEndpointResponse> {
  const { as, client, clock, signal } = flow;
  const deadline = started + authorization.expires_in * 1000;
  const expired = (cause?: unknown) =>
    new OAuthError(
      'CALLBACK_TIMEOUT',
      `The device code expired before the sign-in was completed (after ${formatDuration(clock.now() - started)})`,
      { cause },
    );
  let intervalS = authorization.interval ?? DEFAULT_DEVICE_INTERVAL_S;
  const tokenParams = new URLSearchParams();
  for (const r of flow.resources) tokenParams.append('resource', r);
  for (;;) {
    if (clock.now() + intervalS * 1000 > deadline) throw expired();
    try {
      await sleep(intervalS * 1000, signal);
    } catch (err) {
      if (signal.aborted) throw abortedError(signal);
      throw err;
    }
    if (signal.aborted) throw abortedError(signal);
    try {
      const response = await oauth.deviceCodeGrantRequest(as, client, flow.clientAuth, authorization.device_code, {
        ...flow.httpOptions(tokenEndpoint),
        ...(flow.resources.length > 0 && { additionalParameters: tokenParams }),
      });
      return await oauth.processDeviceCodeResponse(as, client, response);
    } catch (err) {
      if (signal.aborted) throw abortedError(signal);
      intervalS = nextPollInterval(err, intervalS, flow.logger, expired);
    }
  }
}

/**
 * RFC 8628 §3.5: the interval (seconds) of the next poll when the token error says to keep polling
 * (`authorization_pending`, `slow_down`); otherwise throws the error that ends the flow.
 */
function nextPollInterval(
  err: unknown,
  intervalS: number,
  logger: Logger,
  expired: (cause: unknown) => OAuthError,
): number {
  if (err instanceof oauth.ResponseBodyError) {
    switch (err.error) {
      case 'authorization_pending':
        logger.debug('device authorization pending');
        return intervalS;
      case 'slow_down': {
        const slower = intervalS + SLOW_DOWN_INCREMENT_S;
        logger.debug('device authorization: slow_down', { intervalSeconds: slower });
        return slower;
      }
      case 'access_denied':
        throw new OAuthServerError(
          'ACCESS_DENIED',
          'The sign-in was denied',
          { error: err.error, errorDescription: err.error_description, status: err.status },
          { cause: err },
        );
      case 'expired_token':
        throw expired(err);
    }
  }
  throw toOAuthError(err, 'The device code token request failed', 'TOKEN_REQUEST_FAILED');
}

/** Refuse a verification URI that is not https (or loopback http), and strip control characters for display. */
function displayUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OAuthError('INVALID_RESPONSE', 'The device authorization response has a malformed verification URI');
  }
  if (!isSecureOrLoopback(url)) throw new InsecureEndpointError('UNSAFE_URL', 'the verification URI', url.href);
  return printable(url.href);
}

function toOAuthError(err: unknown, what: string, code: 'AUTHORIZATION_FAILED' | 'TOKEN_REQUEST_FAILED'): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof oauth.ResponseBodyError) {
    return new OAuthServerError(
      err.error === 'invalid_grant' ? 'INVALID_GRANT' : code,
      what,
      { error: err.error, errorDescription: err.error_description, status: err.status },
      { cause: err },
    );
  }
  if (err instanceof oauth.OperationProcessingError) {
    return new OAuthError('INVALID_RESPONSE', `${what}: the response is not valid (${err.code ?? 'unknown'})`, {
      cause: err,
    });
  }
  return new OAuthError(code, `${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
