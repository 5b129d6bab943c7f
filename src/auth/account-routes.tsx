// Web routes for a forgotten password (/forgot-password, /reset-password) and the account page
// (/account: name, address and its verification, password, sessions, deleting the account).
// Better Auth makes and checks the tokens, changes passwords and revokes sessions; its mails go
// through the outbox (src/auth/auth.ts). Every form answers 303 back to its section.
import { desc, eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { emailField, nameField, passwordField } from '../lib/input.js';
import { addressBucket } from '../security/client-ip.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import { requestReader } from '../web/dates.js';
import type { AppEnv } from '../web/env.js';
import { type FlashScope, pageFlash, redirectWithFlash, setFlash } from '../web/flash.js';
import { safeNext } from '../web/negotiate.js';
import { pageChrome } from '../web/render.js';
import { accountDeletionBlockers, deleteAccount } from './account-deletion.js';
import { AccountPage, describeDevice } from './account-page.js';
import { ForgotPasswordPage, ResetPasswordPage } from './pages.js';
import { requireUser } from './principal.js';
import { revokeResetLinks } from './reset-links.js';
import {
  copySetCookies,
  formState,
  formValue,
  forwardedHeaders,
  parseForm,
  refuseForm,
} from './routes.js';
import { session as sessions } from './schema.js';

const ForgotForm = z.object({ email: emailField });
const ResetForm = z.object({
  token: z.string().min(1).max(200),
  password: passwordField,
});
const EmailForm = z.object({
  email: emailField,
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(128),
});
const NameForm = z.object({ name: nameField('Your name', 'Enter your name') });
const PasswordForm = z.object({
  currentPassword: z.string().min(1, 'Enter your current password').max(128),
  newPassword: passwordField,
});
const DeleteForm = z.object({ password: z.string().min(1, 'Enter your password').max(128) });

/** Better Auth's error code in a refused answer, or null. */
async function authErrorCode(res: Response): Promise<string | null> {
  try {
    return ((await res.json()) as { code?: string }).code ?? null;
  } catch {
    return null;
  }
}

/** The flash section of "we sent the link" on /forgot-password. */
const SENT_SECTION = 'reset-sent';

/** What Better Auth's verify-email redirect puts in ?error= on /account. */
const VERIFY_ERRORS: Record<string, string> = {
  invalid_token: 'That verification link is not valid. Send yourself a new one below.',
  token_expired: 'That verification link has expired. Send yourself a new one below.',
  user_not_found: 'That verification link belongs to no account.',
};

/** Counts a password or mail request from this client and for this address; 429 when over. */
async function throttleMailRequest(
  c: Context<AppEnv>,
  db: AppDeps['database']['db'],
  email: string,
) {
  const client = c.var.clientIp;
  await enforce(
    db,
    [
      [LIMITS.passwordClient, client && addressBucket(client)],
      [LIMITS.mailAddress, email.toLowerCase()],
    ],
    'password and verification requests',
  );
}

/**
 * Counts a password attempt (reset, change, the check before deleting) from this client.
 * Returns the rate-limit error when over the limit, for the caller to answer with; null if not.
 */
async function passwordAttemptLimited(
  c: Context<AppEnv>,
  db: AppDeps['database']['db'],
  /** The signed-in account whose password is tried: also counted per account, whatever address. */
  userId?: string,
): Promise<AppError | null> {
  try {
    const client = c.var.clientIp;
    await enforce(
      db,
      [
        [LIMITS.passwordClient, client && addressBucket(client)],
        ...(userId ? [[LIMITS.passwordAccount, userId] as const] : []),
      ],
      'password requests',
    );
    return null;
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'rate_limited') throw err;
    return err;
  }
}

/** Better Auth's own headers for a call made for the signed-in browser (our CSRF check passed). */
function sessionHeaders(c: Context<AppEnv>): Headers {
  const headers = forwardedHeaders(c);
  headers.set('cookie', c.req.header('cookie') ?? '');
  headers.set('origin', c.var.web.appOrigin);
  return headers;
}

export function accountWebRoutes({ auth, database, config, billing }: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = database.db;

  app.get('/forgot-password', async (c) => {
    const { toast, error, values } = formState(c);
    // The request was taken: the flash carries the address to name (the same answer whether or
    // not it has an account), and a reload shows the form again instead of sending a second mail.
    const sent = c.var.flash?.section === SENT_SECTION ? c.var.flash.values?.email : undefined;
    return c.html(
      <ForgotPasswordPage
        chrome={{
          ...(await pageChrome(c, db, 'Forgot password')),
          flash: sent ? null : toast,
        }}
        {...(error ? { error } : {})}
        {...(sent ? { sentTo: sent } : {})}
        email={values.email ?? ''}
      />,
    );
  });

  app.post('/forgot-password', async (c) => {
    const form = await c.req.parseBody();
    const parsed = parseForm(ForgotForm, form);
    if ('error' in parsed) {
      return refuseForm(c, '/forgot-password', parsed.error, { email: formValue(form.email) });
    }
    try {
      await throttleMailRequest(c, db, parsed.email);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'rate_limited') throw err;
      return refuseForm(c, '/forgot-password', err, { email: parsed.email });
    }
    // Better Auth answers the same for an unknown address (and simulates the work); so do we.
    await auth.api.requestPasswordReset({
      body: { email: parsed.email, redirectTo: '/reset-password' },
      headers: forwardedHeaders(c),
    });
    return redirectWithFlash(c, '/forgot-password', 'success', 'Link sent.', {
      section: SENT_SECTION,
      values: { email: parsed.email },
    });
  });

  app.get('/reset-password', async (c) => {
    const token = (c.req.query('token') ?? '').slice(0, 200);
    const { toast, error } = formState(c);
    const chrome = { ...(await pageChrome(c, db, 'Choose a new password')), flash: toast };
    if (!token) {
      return c.html(
        <ResetPasswordPage chrome={chrome} token="" error="This reset link is incomplete." />,
        400,
      );
    }
    return c.html(
      <ResetPasswordPage chrome={chrome} token={token} {...(error ? { error } : {})} />,
    );
  });

  app.post('/reset-password', async (c) => {
    const form = await c.req.parseBody();
    const token = formValue(form.token).slice(0, 200);
    // Back to the same link with the message; a link that cannot work goes to ask for a new one.
    const again = `/reset-password?token=${encodeURIComponent(token)}`;
    const parsed = parseForm(ResetForm, form);
    if ('error' in parsed) {
      return token
        ? refuseForm(c, again, parsed.error)
        : refuseForm(c, '/forgot-password', 'This reset link is incomplete. Ask for a new one.');
    }
    const limited = await passwordAttemptLimited(c, db);
    if (limited) return refuseForm(c, again, limited);
    const res = await auth.api.resetPassword({
      body: { newPassword: parsed.password, token: parsed.token },
      headers: forwardedHeaders(c),
      asResponse: true,
    });
    if (!res.ok) {
      const code = await authErrorCode(res);
      if (code === 'PASSWORD_TOO_SHORT' || code === 'PASSWORD_TOO_LONG') {
        return refuseForm(c, again, 'Choose a password of at least 8 characters.');
      }
      return refuseForm(
        c,
        '/forgot-password',
        'That reset link is invalid, expired or already used. Ask for a new one below.',
      );
    }
    await setFlash(c, 'success', 'Your password was changed. Sign in with the new one.');
    return c.redirect('/login', 303);
  });

  // Where a verification link lands (src/auth/auth.ts verificationUrl): a toast that says the
  // address is confirmed, on the page the link was for; Better Auth's ?error= goes to /account.
  app.get('/account/verified', async (c) => {
    const error = c.req.query('error');
    if (error) return c.redirect(`/account?error=${encodeURIComponent(error.slice(0, 40))}`, 303);
    const next = safeNext(c.req.query('next'), '/account');
    const principal = c.var.principal;
    if (principal?.kind === 'user') {
      if (!principal.user.emailVerified) return c.redirect(next, 303);
      return redirectWithFlash(
        c,
        next,
        'success',
        `Your email address is confirmed: ${principal.user.email}.`,
      );
    }
    // The link confirmed the address without signing in: say so where they sign in.
    return redirectWithFlash(
      c,
      `/login?next=${encodeURIComponent(next)}`,
      'success',
      'Your email address is confirmed. Sign in to continue.',
    );
  });

  app.get('/account', async (c) => {
    const principal = c.var.principal;
    const user = requireUser(principal);
    const currentSession = principal?.kind === 'user' ? principal.sessionId : null;
    const error = VERIFY_ERRORS[c.req.query('error') ?? ''];
    const [rows, blockers, chrome] = await Promise.all([
      db
        .select()
        .from(sessions)
        .where(eq(sessions.userId, user.id))
        .orderBy(desc(sessions.updatedAt))
        .limit(50),
      accountDeletionBlockers(db, user.id),
      pageChrome(c, db, 'Your account'),
    ]);
    const now = new Date();
    return c.html(
      <AccountPage
        chrome={{ ...chrome, flash: pageFlash(c.var.flash) }}
        flash={c.var.flash}
        user={user}
        verificationRequired={config.mail.verification === 'required'}
        reader={requestReader(c)}
        sessions={rows
          .filter((s) => s.expiresAt > now)
          .map((s) => ({
            id: s.id,
            device: describeDevice(s.userAgent),
            ipAddress: s.ipAddress,
            createdAt: s.createdAt,
            lastActiveAt: s.updatedAt,
            current: s.id === currentSession,
          }))}
        blockers={blockers}
        {...(error ? { error } : {})}
      />,
    );
  });

  // The account forms' addresses, opened with GET: the account page.
  for (const path of [
    '/account/name',
    '/account/email',
    '/account/password',
    '/account/sessions/revoke-others',
    '/account/delete',
    '/account/verify/resend',
  ]) {
    app.get(path, (c) => c.redirect('/account', 303));
  }

  const back = (
    c: Context<AppEnv>,
    section: string,
    type: 'success' | 'error' | 'info',
    message: string,
    scope: FlashScope = {},
  ) => redirectWithFlash(c, `/account#${section}`, type, message, { section, ...scope });

  app.post('/account/name', async (c) => {
    requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const parsed = parseForm(NameForm, form);
    if ('error' in parsed) {
      return back(c, 'profile', 'error', parsed.error, {
        field: 'name',
        values: { name: formValue(form.name) },
      });
    }
    const res = await auth.api.updateUser({
      body: { name: parsed.name },
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!res.ok) return back(c, 'profile', 'error', 'Could not change your name.');
    return back(c, 'profile', 'success', 'Your name was changed.');
  });

  app.post('/account/password', async (c) => {
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const parsed = parseForm(PasswordForm, form);
    if ('error' in parsed) {
      const field = formValue(form.currentPassword) ? 'newPassword' : 'currentPassword';
      return back(c, 'password', 'error', parsed.error, { field });
    }
    if (parsed.newPassword.length < 8) {
      return back(c, 'password', 'error', 'Choose a password of at least 8 characters.', {
        field: 'newPassword',
      });
    }
    const limited = await passwordAttemptLimited(c, db, user.id);
    if (limited) return back(c, 'password', 'error', limited.message);
    const res = await auth.api.changePassword({
      body: {
        currentPassword: parsed.currentPassword,
        newPassword: parsed.newPassword,
        // A password is changed most often because someone else may know it: their sessions
        // end with it. This browser gets a fresh session (the cookies copied below).
        revokeOtherSessions: true,
      },
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!res.ok) {
      const code = await authErrorCode(res);
      return code === 'INVALID_PASSWORD'
        ? back(c, 'password', 'error', 'That is not your current password.', {
            field: 'currentPassword',
          })
        : back(c, 'password', 'error', 'Could not change your password.', {
            field: 'newPassword',
          });
    }
    copySetCookies(res, c);
    return back(
      c,
      'password',
      'success',
      'Your password was changed. Your other devices are signed out.',
    );
  });

  app.post('/account/sessions/revoke-others', async (c) => {
    requireUser(c.var.principal);
    const res = await auth.api.revokeOtherSessions({
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!res.ok) return back(c, 'sessions', 'error', 'Could not sign out the other devices.');
    return back(c, 'sessions', 'success', 'You are signed out everywhere else.');
  });

  app.post('/account/delete', async (c) => {
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const parsed = parseForm(DeleteForm, form);
    if ('error' in parsed) {
      return back(c, 'delete-account', 'error', parsed.error, { field: 'password' });
    }
    const limited = await passwordAttemptLimited(c, db, user.id);
    if (limited) return back(c, 'delete-account', 'error', limited.message);
    const check = await auth.api.verifyPassword({
      body: { password: parsed.password },
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!check.ok) {
      return back(c, 'delete-account', 'error', 'That is not your password: nothing was deleted.', {
        field: 'password',
      });
    }
    try {
      await deleteAccount(db, {
        userId: user.id,
        onMembersChanged: billing.seats.membersChanged,
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'conflict') throw err;
      return back(c, 'delete-account', 'error', err.message);
    }
    // The session rows went with the user; this clears the browser's cookies.
    const res = await auth.api.signOut({ headers: sessionHeaders(c), asResponse: true });
    copySetCookies(res, c);
    return redirectWithFlash(c, '/login', 'info', 'Your account was deleted.');
  });

  app.post('/account/verify/resend', async (c) => {
    const user = requireUser(c.var.principal);
    if (user.emailVerified) return back(c, 'email', 'info', 'Your address is already verified.');
    await throttleMailRequest(c, db, user.email);
    await auth.api.sendVerificationEmail({
      body: { email: user.email, callbackURL: '/account' },
      headers: sessionHeaders(c),
    });
    return back(c, 'email', 'success', `We sent a new verification link to ${user.email}.`);
  });

  app.post('/account/email', async (c) => {
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const parsed = parseForm(EmailForm, form);
    const refuse = (message: string) =>
      back(c, 'email', 'error', message, {
        field: 'email',
        values: { email: formValue(form.email) },
      });
    const refusePassword = (message: string) =>
      back(c, 'email', 'error', message, {
        field: 'password',
        values: { email: formValue(form.email) },
      });
    if ('error' in parsed) {
      // The address is checked first: an error with a valid address is about the password.
      return emailField.safeParse(form.email).success
        ? refusePassword(parsed.error)
        : refuse(parsed.error);
    }
    if (parsed.email === user.email.toLowerCase()) return refuse('That is already your address.');
    // A session alone must not move the account to another address (whose owner could then
    // reset the password): the password is asked, and counted per account as on the others.
    const limited = await passwordAttemptLimited(c, db, user.id);
    if (limited) return refusePassword(limited.message);
    const check = await auth.api.verifyPassword({
      body: { password: parsed.password },
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!check.ok) return refusePassword('That is not your password: the address was not changed.');
    await throttleMailRequest(c, db, parsed.email);
    const res = await auth.api.changeEmail({
      body: { newEmail: parsed.email, callbackURL: '/account' },
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!res.ok) return refuse('Could not change the address.');
    // A reset link mailed to the old address must not reset the account it no longer names.
    await revokeResetLinks(db, user.id);
    copySetCookies(res, c);
    // The same answer whether or not another account has the address (Better Auth's too).
    return back(
      c,
      'email',
      'success',
      `We sent a confirmation link to ${parsed.email}; the new address counts as verified once you open it.`,
    );
  });

  return app;
}
