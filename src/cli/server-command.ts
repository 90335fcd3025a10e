/** What the commands that talk to one server (`tools`, `call`) take alike: their options and the help for them. */
import { COMMON_OPTIONS, OAUTH_OPTIONS, TARGET_OPTIONS } from './args.ts';
import { COMMON_HELP, TARGET_HELP } from './help-text.ts';
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS } from './static-credentials.ts';
import { TRANSPORT_HELP, TRANSPORT_OPTIONS } from './transport-options.ts';

/** Help, the target, the transport, OAuth and static credentials (`parseArgs` options). */
export const SERVER_COMMAND_OPTIONS = {
  ...COMMON_OPTIONS,
  ...TARGET_OPTIONS,
  ...TRANSPORT_OPTIONS,
  ...OAUTH_OPTIONS,
  ...CREDENTIAL_OPTIONS,
} as const;

/** The help of {@link SERVER_COMMAND_OPTIONS} other than OAuth's (which the commands place last). */
export const SERVER_COMMAND_HELP = `${TARGET_HELP}

${TRANSPORT_HELP}

${CREDENTIAL_HELP}

${COMMON_HELP}`;
