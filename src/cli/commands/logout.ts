import type { Command } from '../context.ts';
import { notAvailableYet } from './not-available.ts';

/** `mcptool logout`: forget the stored credentials of a server. Not available yet (the OAuth sign-in issue adds it). */
export const logoutCommand: Command = notAvailableYet('logout', 'forget the stored credentials of a server');
