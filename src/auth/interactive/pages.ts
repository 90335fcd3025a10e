/** HTML-escape text for the callback pages. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, heading: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}
h1{font-size:1.4rem}
.ok{color:#1a7f37}.err{color:#cf222e}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}
</style>
</head>
<body>
<h1>${heading}</h1>
${body}
</body>
</html>
`;
}

/** Shown after a genuine callback carrying a code. */
export function successPage(): string {
  return page(
    'Signed in — mcptool',
    '<span class="ok">&#10003;</span> Signed in',
    '<p>mcptool received the authorization. You can close this tab and return to your terminal.</p>',
  );
}

/** Shown after a genuine callback carrying an `error` (RFC 6749 §4.1.2.1); server text is escaped. */
export function failurePage(error: string, description: string | undefined): string {
  const detail = description ? `<p>${escapeHtml(description)}</p>` : '';
  return page(
    'Sign-in failed — mcptool',
    '<span class="err">&#10007;</span> Sign-in failed',
    `<p>The authorization server answered <code>${escapeHtml(error)}</code>.</p>${detail}` +
      '<p>You can close this tab; the terminal shows what to do next.</p>',
  );
}

/** Shown for a request that is not the genuine callback; the flow keeps waiting. */
export function rejectedPage(reason: string): string {
  return page(
    'Not accepted — mcptool',
    'Request not accepted',
    `<p>This request was ignored: ${escapeHtml(reason)}.</p>` +
      '<p>If you are signing in, finish in the tab that mcptool opened.</p>',
  );
}
