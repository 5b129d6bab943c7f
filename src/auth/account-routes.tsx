// Web routes for a forgotten password (/forgot-password, /reset-password) and the account page
// (/account: verification status, resend, change of address). Better Auth makes and checks the
// tokens; its mails go through the outbox (src/auth/auth.ts).
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { emailField, passwordField } from '../lib/input.js';
import { addressBucket } from '../security/client-ip.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import type { AppEnv } from '../web/env.js';
import { setFlash } from '../web/flash.js';
import { pageChrome } from '../web/render.js';
import { AccountPage, ForgotPasswordPage, ResetPasswordPage } from './pages.js';
import { requireUser } from './principal.js';
import { copySetCookies, formValue, forwardedHeaders, parseForm } from './routes.js';

const ForgotForm = z.object({ email: emailField });
const ResetForm = z.object({
  token: z.string().min(1).max(200),
  password: passwordField,
});
const EmailForm = z.object({ email: emailField });

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

/** Better Auth's own headers for a call made for the signed-in browser (our CSRF check passed). */
function sessionHeaders(c: Context<AppEnv>): Headers {
  const headers = forwardedHeaders(c);
  headers.set('cookie', c.req.header('cookie') ?? '');
  headers.set('origin', c.var.web.appOrigin);
  return headers;
}

export function accountWebRoutes({ auth, database, config }: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = database.db;

  app.get('/forgot-password', async (c) =>
    c.html(<ForgotPasswordPage chrome={await pageChrome(c, db, 'Forgot password')} />),
  );

  app.post('/forgot-password', async (c) => {
    const form = await c.req.parseBody();
    const chrome = async () => pageChrome(c, db, 'Forgot password');
    const parsed = parseForm(ForgotForm, form);
    if ('error' in parsed) {
      return c.html(
        <ForgotPasswordPage
          chrome={await chrome()}
          error={parsed.error}
          email={formValue(form.email)}
        />,
        400,
      );
    }
    try {
      await throttleMailRequest(c, db, parsed.email);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'rate_limited') throw err;
      if (err.retryAfterSeconds) c.header('retry-after', String(err.retryAfterSeconds));
      return c.html(
        <ForgotPasswordPage chrome={await chrome()} error={err.message} email={parsed.email} />,
        429,
      );
    }
    // Better Auth answers the same for an unknown address (and simulates the work); so do we.
    await auth.api.requestPasswordReset({
      body: { email: parsed.email, redirectTo: '/reset-password' },
      headers: forwardedHeaders(c),
    });
    return c.html(<ForgotPasswordPage chrome={await chrome()} sentTo={parsed.email} />);
  });

  app.get('/reset-password', async (c) => {
    const token = (c.req.query('token') ?? '').slice(0, 200);
    const chrome = await pageChrome(c, db, 'Choose a new password');
    if (!token) {
      return c.html(
        <ResetPasswordPage chrome={chrome} token="" error="This reset link is incomplete." />,
        400,
      );
    }
    return c.html(<ResetPasswordPage chrome={chrome} token={token} />);
  });

  app.post('/reset-password', async (c) => {
    const form = await c.req.parseBody();
    const token = formValue(form.token);
    const refuse = async (error: string, status: 400 | 429) =>
      c.html(
        <ResetPasswordPage
          chrome={await pageChrome(c, db, 'Choose a new password')}
          token={status === 429 || error.startsWith('Password') ? token : ''}
          error={error}
        />,
        status,
      );
    const parsed = parseForm(ResetForm, form);
    if ('error' in parsed) return refuse(parsed.error, 400);
    try {
      const client = c.var.clientIp;
      await enforce(
        db,
        [[LIMITS.passwordClient, client && addressBucket(client)]],
        'password requests',
      );
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'rate_limited') throw err;
      if (err.retryAfterSeconds) c.header('retry-after', String(err.retryAfterSeconds));
      return refuse(err.message, 429);
    }
    const res = await auth.api.resetPassword({
      body: { newPassword: parsed.password, token: parsed.token },
      headers: forwardedHeaders(c),
      asResponse: true,
    });
    if (!res.ok) {
      return refuse('This reset link is invalid, expired or already used. Ask for a new one.', 400);
    }
    await setFlash(c, 'success', 'Your password was changed. Sign in with the new one.');
    return c.redirect('/login', 303);
  });

  app.get('/account', async (c) => {
    const user = requireUser(c.var.principal);
    const error = VERIFY_ERRORS[c.req.query('error') ?? ''];
    return c.html(
      <AccountPage
        chrome={await pageChrome(c, db, 'Your account')}
        user={user}
        verificationRequired={config.mail.verification === 'required'}
        {...(error ? { error } : {})}
      />,
    );
  });

  app.post('/account/verify/resend', async (c) => {
    const user = requireUser(c.var.principal);
    if (user.emailVerified) {
      await setFlash(c, 'info', 'Your address is already verified.');
      return c.redirect('/account', 303);
    }
    await throttleMailRequest(c, db, user.email);
    await auth.api.sendVerificationEmail({
      body: { email: user.email, callbackURL: '/account' },
      headers: sessionHeaders(c),
    });
    await setFlash(c, 'success', `We sent a new verification link to ${user.email}.`);
    return c.redirect('/account', 303);
  });

  app.post('/account/email', async (c) => {
    const user = requireUser(c.var.principal);
    const form = await c.req.parseBody();
    const parsed = parseForm(EmailForm, form);
    if ('error' in parsed) throw new AppError('bad_request', parsed.error);
    if (parsed.email === user.email.toLowerCase()) {
      throw new AppError('bad_request', 'That is already your address.');
    }
    await throttleMailRequest(c, db, parsed.email);
    const res = await auth.api.changeEmail({
      body: { newEmail: parsed.email, callbackURL: '/account' },
      headers: sessionHeaders(c),
      asResponse: true,
    });
    if (!res.ok) throw new AppError('bad_request', 'Could not change the address.');
    copySetCookies(res, c);
    // The same answer whether or not another account has the address (Better Auth's too).
    await setFlash(
      c,
      'success',
      `We sent a confirmation link to ${parsed.email}; the new address counts as verified once you open it.`,
    );
    return c.redirect('/account', 303);
  });

  return app;
}
