// Web routes for accounts: /signup, /login, /logout. They call Better Auth's API server-side
// and pass its session cookie on; Better Auth's JSON endpoints stay mounted at /api/auth/*.
import { type Context, Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from '../web/env.js';
import { setFlash } from '../web/flash.js';
import { safeNext } from '../web/negotiate.js';
import { pageChrome } from '../web/render.js';
import { LoginPage, SignupPage } from './pages.js';

/** Only what Better Auth should see of the browser's request (our CSRF check already ran). */
function forwardedHeaders(raw: Headers): Headers {
  const h = new Headers();
  for (const name of ['user-agent', 'x-forwarded-for', 'x-real-ip']) {
    const v = raw.get(name);
    if (v) h.set(name, v);
  }
  return h;
}

async function authErrorMessage(res: Response, fallback: string): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string; code?: string };
    if (
      body.code === 'USER_ALREADY_EXISTS' ||
      body.code === 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL'
    ) {
      return 'An account with this email already exists. Sign in instead.';
    }
    if (body.code === 'INVALID_EMAIL_OR_PASSWORD') return 'Wrong email or password.';
    return body.message || fallback;
  } catch {
    return fallback;
  }
}

function copySetCookies(from: Response, c: Context<AppEnv>) {
  for (const cookie of from.headers.getSetCookie())
    c.header('set-cookie', cookie, { append: true });
}

export function authWebRoutes({ auth, database }: AppDeps) {
  const app = new Hono<AppEnv>();
  const db = database.db;

  app.get('/signup', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.var.principal?.kind === 'user') return c.redirect(next);
    return c.html(<SignupPage chrome={await pageChrome(c, db, 'Sign up')} next={next} />);
  });

  app.post('/signup', async (c) => {
    const next = safeNext(c.req.query('next'));
    const form = await c.req.parseBody();
    const values = { name: String(form.name ?? '').trim(), email: String(form.email ?? '').trim() };
    const res = await auth.api.signUpEmail({
      body: { ...values, password: String(form.password ?? '') },
      headers: forwardedHeaders(c.req.raw.headers),
      asResponse: true,
    });
    if (!res.ok) {
      const error = await authErrorMessage(res, 'Could not create the account.');
      const chrome = await pageChrome(c, db, 'Sign up');
      return c.html(<SignupPage chrome={chrome} next={next} error={error} values={values} />, 422);
    }
    copySetCookies(res, c);
    await setFlash(c, 'success', `Welcome to Tollgate, ${values.name}!`);
    return c.redirect(next, 303);
  });

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.var.principal?.kind === 'user') return c.redirect(next);
    return c.html(<LoginPage chrome={await pageChrome(c, db, 'Sign in')} next={next} />);
  });

  app.post('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    const form = await c.req.parseBody();
    const email = String(form.email ?? '').trim();
    const res = await auth.api.signInEmail({
      body: { email, password: String(form.password ?? '') },
      headers: forwardedHeaders(c.req.raw.headers),
      asResponse: true,
    });
    if (!res.ok) {
      const error = await authErrorMessage(res, 'Could not sign in.');
      const chrome = await pageChrome(c, db, 'Sign in');
      return c.html(
        <LoginPage chrome={chrome} next={next} error={error} values={{ email }} />,
        401,
      );
    }
    copySetCookies(res, c);
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    // Our CSRF check has passed, so vouch for the origin Better Auth insists on with cookies.
    const headers = forwardedHeaders(c.req.raw.headers);
    headers.set('cookie', c.req.header('cookie') ?? '');
    headers.set('origin', c.var.web.appOrigin);
    const res = await auth.api.signOut({ headers, asResponse: true });
    copySetCookies(res, c);
    await setFlash(c, 'info', 'You are signed out.');
    return c.redirect('/login', 303);
  });

  return app;
}
