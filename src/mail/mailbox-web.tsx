// /dev/mailbox: what the embedded SMTP server received, for developers (never in production),
// served to loopback clients only and with no sign-in, as local mail catchers are: it holds
// every user's mail (reset links), so nobody on the network may read it, and an invitee
// without an account can still read their own invitation. A message's HTML part is served on its own, locked-down URL and
// shown in a sandboxed frame; the text part is shown with its links clickable.
import { desc, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { isLoopback, socketAddress } from '../security/client-ip.js';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { pathId } from '../web/params.js';
import { pageChrome } from '../web/render.js';
import { type MailboxMessage, mailboxMessages } from './schema.js';

const URL_IN_TEXT = /(https?:\/\/[^\s<>"]+)/g;

/** Plain text with every http(s) URL made a link (JSX escapes the rest). */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(URL_IN_TEXT);
  return (
    <pre class="mail-text">
      {parts.map((part, i) => (i % 2 === 1 ? <a href={part}>{part}</a> : part))}
    </pre>
  );
}

/**
 * Only this machine: the socket's peer, and the client behind any trusted proxy, are loopback
 * addresses. A request handed to the app in-process (tests) has no socket and no network.
 */
const loopbackOnly = createMiddleware<AppEnv>(async function loopbackOnly(c, next) {
  const peer = socketAddress(c);
  const client = c.var.clientIp;
  if ((peer !== null && !isLoopback(peer)) || (client !== null && !isLoopback(client)))
    throw new AppError('not_found', 'Page not found');
  await next();
});

async function findMessage(db: Db, id: string): Promise<MailboxMessage> {
  const [row] = await db.select().from(mailboxMessages).where(eq(mailboxMessages.id, id));
  if (!row) throw notFound('No such message');
  return row;
}

export function mailboxWebRoutes({ db }: { db: Db }) {
  const app = new Hono<AppEnv>();
  app.use('/dev/mailbox/*', loopbackOnly);
  app.use('/dev/mailbox', loopbackOnly);

  app.get('/dev/mailbox', async (c) => {
    const messages = await db
      .select()
      .from(mailboxMessages)
      .orderBy(desc(mailboxMessages.receivedAt))
      .limit(200);
    return c.html(
      <Layout {...(await pageChrome(c, db, 'Mailbox'))}>
        <div class="card">
          <h1>Mailbox</h1>
          <p class="small muted">
            Every message the app sent in development, received by its embedded SMTP server.
          </p>
          {messages.length === 0 ? (
            <p>No mail yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Received</th>
                  <th>To</th>
                  <th>Subject</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((m) => (
                  <tr>
                    <td class="small">
                      {m.receivedAt.toISOString().replace('T', ' ').slice(0, 19)}
                    </td>
                    <td>{m.toAddress}</td>
                    <td>
                      <a href={`/dev/mailbox/${m.id}`}>{m.subject}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </Layout>,
    );
  });

  app.get('/dev/mailbox/:id', async (c) => {
    const m = await findMessage(db, pathId(c, 'id', 'No such message'));
    return c.html(
      <Layout {...(await pageChrome(c, db, m.subject))}>
        <div class="card">
          <p class="small">
            <a href="/dev/mailbox">← Mailbox</a>
          </p>
          <h1>{m.subject}</h1>
          <p class="small muted">
            From {m.fromAddress} to {m.toAddress}
            {m.messageId ? ` · ${m.messageId}` : ''}
          </p>
          <h2>HTML</h2>
          {m.html ? (
            <iframe
              title="HTML part"
              class="mail-html"
              src={`/dev/mailbox/${m.id}/html`}
              sandbox="allow-popups allow-top-navigation-by-user-activation"
            />
          ) : (
            <p class="muted">No HTML part.</p>
          )}
          <h2>Text</h2>
          {m.text ? <LinkedText text={m.text} /> : <p class="muted">No text part.</p>}
        </div>
      </Layout>,
    );
  });

  app.get('/dev/mailbox/:id/html', async (c) => {
    const m = await findMessage(db, pathId(c, 'id', 'No such message'));
    // The message's own HTML, with nothing allowed but its inline styles: no scripts, no
    // requests, no forms, framed only by our own message page.
    c.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    );
    c.header('x-frame-options', 'SAMEORIGIN');
    // Links open in the whole window (the app refuses to be framed), not inside the frame.
    return c.html((m.html ?? '').replace(/<head>/i, '<head><base target="_top">'));
  });

  return app;
}
