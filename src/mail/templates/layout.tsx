// The frame every message shares: the app's name on top, the content, and a footer that says
// why the person got it — in HTML (inline styles: mail clients ignore stylesheets) and in text.
import type { Child } from 'hono/jsx';
import { TOKENS as T } from '../../web/tokens.js';

export const APP_NAME = 'Tollgate';

/** A message ready for the outbox: both parts rendered. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** What one template produces before the frame goes around it. */
export interface MailContent {
  subject: string;
  /** The HTML body (inside the frame). */
  body: Child;
  /** The same content as plain text. */
  text: string;
  /** The footer: why this person got this message. */
  reason: string;
}

// The app's design tokens (src/web/tokens.ts), inlined: mail clients ignore stylesheets.
const font = `font-family:${T.fontSans.replaceAll('"', "'")};color:${T.fg};`;

export function Button({ href, label }: { href: string; label: string }) {
  return (
    <p style="margin:24px 0;">
      <a
        href={href}
        style={`background:${T.accent};color:${T.onAccent};padding:10px 18px;border-radius:${T.radiusSm};text-decoration:none;display:inline-block;font-weight:600;`}
      >
        {label}
      </a>
    </p>
  );
}

/** A link shown in full too, for clients that strip buttons. */
export function FullLink({ href }: { href: string }) {
  return (
    <p style={`font-size:13px;color:${T.muted};word-break:break-all;`}>
      Or open this link: <a href={href}>{href}</a>
    </p>
  );
}

function Frame({ content, appUrl }: { content: MailContent; appUrl: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{content.subject}</title>
      </head>
      <body style={`${font}background:${T.bg};margin:0;padding:24px;`}>
        <div
          style={`max-width:560px;margin:0 auto;background:${T.surface};border:1px solid ${T.line};border-radius:${T.radiusLg};padding:24px;`}
        >
          <p style="font-weight:bold;font-size:18px;margin:0 0 16px;">
            <a href={appUrl} style={`color:${T.accent};text-decoration:none;`}>
              {APP_NAME}
            </a>
          </p>
          {content.body}
          <hr style={`border:none;border-top:1px solid ${T.line};margin:24px 0 12px;`} />
          <p style={`font-size:12px;color:${T.muted};`}>{content.reason}</p>
        </div>
      </body>
    </html>
  );
}

export async function renderMail(content: MailContent, appUrl: string): Promise<RenderedMail> {
  const html = `<!doctype html>${await (<Frame content={content} appUrl={appUrl} />).toString()}`;
  const text = `${APP_NAME}\n\n${content.text.trim()}\n\n--\n${content.reason}\n${appUrl}\n`;
  return { subject: `${content.subject} · ${APP_NAME}`, html, text };
}
