// Web routes for accounts: /signup, /login, /logout. They call Better Auth's API server-side
// and pass its session cookie on; Better Auth's JSON endpoints stay mounted at /api/auth/*.
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import { emailField, nameField, parseInput, passwordField } from '../lib/input.js';
import { addressBucket } from '../security/client-ip.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import type { AppEnv } from '../web/env.js';
import { flashFor, pageFlash, redirectWithFlash, setFlash } from '../web/flash.js';
import { safeNext } from '../web/negotiate.js';
import { pageChrome } from '../web/render.js';
import { findInvitation, invitationState } from '../workspaces/invitations.js';
import { CLIENT_IP_HEADER, INVITATION_HEADER } from './auth.js';
import { LoginPage, SignupPage } from './pages.js';
import { EXISTING_ACCOUNT_CODES, tellOwnerOfSignUpAttempt } from './sign-up-attempt.js';
import {
  beginSignIn,
  DEVICE_COOKIE,
  DEVICE_COOKIE_MAX_AGE,
  deviceCookieFor,
  finishSignIn,
  knownDeviceFor,
} from './throttle.js';

const SignupForm = z.object({
  name: nameField('Your name', 'Enter your name'),
  email: emailField,
  password: passwordField,
});
const LoginForm = z.object({ email: emailField, password: passwordField });

/**
 * Only what Better Auth should see of the browser's request (our CSRF check already ran): the
 * user agent, and the client address we resolved (never the client's own X-Forwarded-For).
 */
export function forwardedHeaders(c: Context<AppEnv>): Headers {
  const h = new Headers();
  const agent = c.req.header('user-agent');
  if (agent) h.set('user-agent', agent.slice(0, 512));
  if (c.var.clientIp) h.set(CLIENT_IP_HEADER, c.var.clientIp);
  return h;
}

/** Remembers that this browser signed in to `email` (see ./throttle.ts). */
export function rememberDevice(c: Context<AppEnv>, email: string) {
  const current = getCookie(c, DEVICE_COOKIE);
  const deviceId = current?.split('.')[0];
  setCookie(
    c,
    DEVICE_COOKIE,
    deviceCookieFor(c.var.web.cookieSecret, email, deviceId || undefined),
    {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: c.var.web.secureCookies,
      maxAge: DEVICE_COOKIE_MAX_AGE,
    },
  );
}

/** Parses a form, turning a validation problem into the form's own error message. */
export function parseForm<T extends z.ZodType>(
  schema: T,
  form: unknown,
): z.output<T> | { error: string } {
  try {
    return parseInput(schema, form);
  } catch (err) {
    if (err instanceof AppError) return { error: err.message };
    throw err;
  }
}

export const formValue = (v: unknown) => (typeof v === 'string' ? v.slice(0, 254) : '');

/** The flash section of an account form's refusal: shown in the form, not as a toast. */
export const FORM_SECTION = 'form';

/**
 * Post/Redirect/Get for a refused account form: 303 back to the form's page with the message
 * and what was typed (never the password) in the flash, so a reload repeats nothing. A 429's
 * Retry-After travels on the redirect.
 */
export async function refuseForm(
  c: Context<AppEnv>,
  location: string,
  error: string | AppError,
  values: Record<string, string> = {},
) {
  if (error instanceof AppError && error.retryAfterSeconds)
    c.header('retry-after', String(error.retryAfterSeconds));
  const message = error instanceof AppError ? error.message : error;
  return redirectWithFlash(c, location, 'error', message, { section: FORM_SECTION, values });
}

/** The form's refusal from the flash (error and values), and the chrome's toast without it. */
export function formState(c: Context<AppEnv>) {
  const refused = flashFor(c.var.flash, FORM_SECTION);
  return {
    toast: pageFlash(c.var.flash),
    ...(refused ? { error: refused.message } : {}),
    values: refused?.values ?? {},
  };
}

async function authErrorCode(res: Response): Promise<string | null> {
  try {
    return ((await res.json()) as { code?: string }).code ?? null;
  } catch {
    return null;
  }
}

async function authErrorMessage(res: Response, fallback: string): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string; code?: string };
    if (body.code === 'INVALID_EMAIL_OR_PASSWORD') return 'Wrong email or password.';
    return body.message || fallback;
  } catch {
    return fallback;
  }
}

export function copySetCookies(from: Response, c: Context<AppEnv>) {
  for (const cookie of from.headers.getSetCookie())
    c.header('set-cookie', cookie, { append: true });
}

/** The invitation token when `next` is an invitation's page (/invitations/<token>). */
export function invitationTokenOf(next: string): string | null {
  const m = /^\/invitations\/([A-Za-z0-9_-]{20,200})$/.exec(next);
  return m?.[1] ?? null;
}

export function authWebRoutes({ auth, database, mail, config }: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = database.db;

  /** The pending invitation a sign-up comes from, to pre-fill and explain the form. */
  const invitationFor = async (next: string) => {
    const token = invitationTokenOf(next);
    if (!token) return null;
    try {
      const found = await findInvitation(db, token);
      if (invitationState(found.invitation) !== 'pending') return null;
      return { token, email: found.invitation.email, workspaceName: found.workspace.name };
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return null;
      throw err;
    }
  };

  app.get('/signup', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.var.principal?.kind === 'user') return c.redirect(next);
    const invitation = await invitationFor(next);
    const { toast, error, values } = formState(c);
    return c.html(
      <SignupPage
        chrome={{ ...(await pageChrome(c, db, 'Sign up')), flash: toast }}
        next={next}
        {...(error ? { error } : {})}
        values={{ ...(invitation ? { email: invitation.email } : {}), ...values }}
        {...(invitation ? { invitation: { workspaceName: invitation.workspaceName } } : {})}
      />,
    );
  });

  app.post('/signup', async (c) => {
    const next = safeNext(c.req.query('next'));
    const form = await c.req.parseBody();
    const values = { name: formValue(form.name), email: formValue(form.email) };
    // A refusal goes back to the form with the name and address (the password is typed again).
    const refuse = (error: string | AppError) =>
      refuseForm(c, `/signup?next=${encodeURIComponent(next)}`, error, values);
    const parsed = parseForm(SignupForm, form);
    if ('error' in parsed) return refuse(parsed.error);
    try {
      const client = c.var.clientIp;
      await enforce(db, [[LIMITS.signUpClient, client && addressBucket(client)]], 'sign-ups');
    } catch (err) {
      if (err instanceof AppError && err.code === 'rate_limited') return refuse(err);
      throw err;
    }
    // From an invitation link: no personal workspace (src/auth/auth.ts checks the invitation is
    // for this address), and the verification link comes back to the invitation.
    const headers = forwardedHeaders(c);
    const invitation = invitationTokenOf(next);
    if (invitation) headers.set(INVITATION_HEADER, invitation);
    const res = await auth.api.signUpEmail({
      body: { ...parsed, ...(invitation ? { callbackURL: next } : {}) },
      headers,
      asResponse: true,
    });
    if (!res.ok) {
      const code = await authErrorCode(res.clone());
      if (!code || !EXISTING_ACCOUNT_CODES.has(code))
        return refuse(await authErrorMessage(res, 'Could not create the account.'));
      // The address has an account: the same answer as a new sign-up, and a mail to its owner.
      await tellOwnerOfSignUpAttempt({ db, mail, appUrl: config.appUrl }, parsed.email);
      await setFlash(c, 'success', `Welcome to Tollgate, ${values.name}!`);
      return c.redirect(next, 303);
    }
    copySetCookies(res, c);
    rememberDevice(c, parsed.email);
    await setFlash(c, 'success', `Welcome to Tollgate, ${values.name}!`);
    return c.redirect(next, 303);
  });

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.var.principal?.kind === 'user') return c.redirect(next);
    const { toast, error, values } = formState(c);
    return c.html(
      <LoginPage
        chrome={{ ...(await pageChrome(c, db, 'Sign in')), flash: toast }}
        next={next}
        {...(error ? { error } : {})}
        values={values}
      />,
    );
  });

  app.post('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    const form = await c.req.parseBody();
    const email = formValue(form.email);
    const refuse = (error: string | AppError) =>
      refuseForm(c, `/login?next=${encodeURIComponent(next)}`, error, { email });
    const parsed = parseForm(LoginForm, form);
    if ('error' in parsed) return refuse(parsed.error);
    let ticket: Awaited<ReturnType<typeof beginSignIn>>;
    try {
      ticket = await beginSignIn(db, {
        email: parsed.email,
        client: c.var.clientIp && addressBucket(c.var.clientIp),
        deviceId: knownDeviceFor(c.var.web.cookieSecret, getCookie(c, DEVICE_COOKIE), parsed.email),
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'rate_limited') return refuse(err);
      throw err;
    }
    const res = await auth.api.signInEmail({
      body: parsed,
      headers: forwardedHeaders(c),
      asResponse: true,
    });
    await finishSignIn(db, ticket, res.ok);
    if (!res.ok) return refuse(await authErrorMessage(res, 'Could not sign in.'));
    copySetCookies(res, c);
    rememberDevice(c, parsed.email);
    return c.redirect(next, 303);
  });

  // Signing out is a POST (a link could not be forged into it); the address opened with GET
  // signs nobody out.
  app.get('/logout', (c) => c.redirect(c.var.principal ? '/account' : '/login', 303));

  app.post('/logout', async (c) => {
    // Our CSRF check has passed, so vouch for the origin Better Auth insists on with cookies.
    const headers = forwardedHeaders(c);
    headers.set('cookie', c.req.header('cookie') ?? '');
    headers.set('origin', c.var.web.appOrigin);
    const res = await auth.api.signOut({ headers, asResponse: true });
    copySetCookies(res, c);
    await setFlash(c, 'info', 'You are signed out.');
    // "Sign out and continue" on an invitation for another address comes back to it.
    return c.redirect(safeNext(c.req.query('next'), '/login'), 303);
  });

  return app;
}
