/**
 * The HTML pages of the demo authorization server: one page each, inline CSS, no script and no remote asset
 * (they are served with `default-src 'none'`).
 */

import { escapeHtml } from '../src/auth/interactive/pages.ts';

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:10px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.35rem;margin:0 0 1rem}
ul{padding-left:1.2rem}code{background:#eef0f4;padding:0 .25rem;border-radius:4px;word-break:break-all}
.buttons{display:flex;gap:.75rem;margin-top:1.5rem}
button{flex:1;font:inherit;padding:.6rem 1rem;border-radius:6px;border:1px solid #b8bfcc;background:#fff;cursor:pointer}
button.primary{background:#2456d6;border-color:#2456d6;color:#fff}
.muted{color:#5b6475;font-size:.9rem}
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** What the consent page shows. */
export interface ConsentDetails {
  /** The form's target (POST); the chosen button is sent as `decision=approve|deny`. */
  action: string;
  clientName: string;
  user: string;
  scopes: string[];
  resources: string[];
}

/** The one-page consent screen: who asks, for what, an Approve and a Deny button. */
export function consentPage(details: ConsentDetails): string {
  const scopes = details.scopes.length
    ? `<ul>${details.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`
    : '<p class="muted">No scopes requested.</p>';
  const resources = details.resources.length
    ? `<p>for <code>${details.resources.map(escapeHtml).join('</code>, <code>')}</code></p>`
    : '';
  return page(
    'Authorize access',
    `<h1>Authorize <strong>${escapeHtml(details.clientName)}</strong>?</h1>
<p>Signed in as <strong>${escapeHtml(details.user)}</strong>. The application asks for:</p>
${scopes}${resources}
<form method="post" action="${escapeHtml(details.action)}">
<div class="buttons">
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
<button type="submit" name="decision" value="approve" id="approve" class="primary" autofocus>Approve</button>
</div></form>
<p class="muted">mcptool demo authorization server</p>`,
  );
}

/** A short page with a heading and a message (errors, device flow results). */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** The device-flow code entry page around the form `oidc-provider` renders. */
export function deviceInputPage(form: string, error: string | undefined): string {
  return page(
    'Connect a device',
    `<h1>Connect a device</h1><p>${escapeHtml(error ?? 'Enter the code shown on your device.')}</p>${form}
<div class="buttons"><button type="submit" class="primary" form="op.deviceInputForm">Continue</button></div>`,
  );
}

/** The device-flow confirmation page around the form `oidc-provider` renders. */
export function deviceConfirmPage(form: string, clientName: string, userCode: string): string {
  return page(
    'Confirm the device',
    `<h1>Confirm the device</h1><p><strong>${escapeHtml(clientName)}</strong> shows the code
<code>${escapeHtml(userCode)}</code>.</p>${form}
<div class="buttons"><button type="submit" name="abort" value="yes" form="op.deviceConfirmForm">Deny</button>
<button type="submit" class="primary" form="op.deviceConfirmForm">Approve</button></div>`,
  );
}
