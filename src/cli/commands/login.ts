import type { Command } from '../context.ts';
import { notAvailableYet } from './not-available.ts';

/** `mcptool login`: sign in to a server now and store the credentials. Not available yet (the OAuth sign-in issue adds it). */
export const loginCommand: Command = notAvailableYet('login', 'sign in to a server now and store the credentials');
