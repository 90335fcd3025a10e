import type { Command } from '../context.ts';
import { notAvailableYet } from './not-available.ts';

/** `mcptool status`: show what is stored: issuer, client id, scopes, expiry. Not available yet (the OAuth sign-in issue adds it). */
export const statusCommand: Command = notAvailableYet(
  'status',
  'show what is stored: issuer, client id, scopes, expiry',
);
