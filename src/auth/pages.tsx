// Account pages: sign-up, sign-in, forgotten and reset passwords (the account page itself is
// in account-page.tsx).
import { CsrfField, Layout, type PageChrome } from '../web/layout.js';

interface AuthFormProps {
  chrome: PageChrome;
  next: string;
  error?: string;
  values?: { name?: string; email?: string };
  /** The sign-up comes from a pending invitation to this workspace. */
  invitation?: { workspaceName: string };
}

export function SignupPage({ chrome, next, error, values, invitation }: AuthFormProps) {
  return (
    <Layout {...chrome}>
      <div class="card auth">
        <h1>Create your account</h1>
        {invitation && (
          <p class="muted" data-invitation-signup="">
            Then you join <strong>{invitation.workspaceName}</strong>. Use the invited address to
            accept the invitation.
          </p>
        )}
        {error && (
          <div class="flash error" role="alert">
            {error}
          </div>
        )}
        <form method="post" action={`/signup?next=${encodeURIComponent(next)}`}>
          <CsrfField token={chrome.csrfToken} />
          <label for="name">Name</label>
          <input
            id="name"
            name="name"
            required
            maxlength={100}
            value={values?.name ?? ''}
            autocomplete="name"
          />
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            required
            maxlength={254}
            value={values?.email ?? ''}
            autocomplete="email"
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            required
            minlength={8}
            autocomplete="new-password"
          />
          <p class="small muted">At least 8 characters.</p>
          <button type="submit">Sign up</button>
        </form>
        <p class="small">
          Already have an account? <a href={`/login?next=${encodeURIComponent(next)}`}>Sign in</a>
        </p>
      </div>
    </Layout>
  );
}

export function LoginPage({ chrome, next, error, values }: AuthFormProps) {
  return (
    <Layout {...chrome}>
      <div class="card auth">
        <h1>Sign in</h1>
        {error && (
          <div class="flash error" role="alert">
            {error}
          </div>
        )}
        <form method="post" action={`/login?next=${encodeURIComponent(next)}`}>
          <CsrfField token={chrome.csrfToken} />
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            required
            maxlength={254}
            value={values?.email ?? ''}
            autocomplete="email"
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            required
            autocomplete="current-password"
          />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </form>
        <p class="small">
          <a href="/forgot-password">Forgot password?</a>
        </p>
        <p class="small">
          New here? <a href={`/signup?next=${encodeURIComponent(next)}`}>Create an account</a>
        </p>
      </div>
    </Layout>
  );
}

export function ForgotPasswordPage(props: {
  chrome: PageChrome;
  error?: string;
  /** Set once a request was taken: the same answer whether or not the address has an account. */
  sentTo?: string;
  email?: string;
}) {
  return (
    <Layout {...props.chrome}>
      <div class="card auth">
        <h1>Forgot your password?</h1>
        {props.error && (
          <div class="flash error" role="alert">
            {props.error}
          </div>
        )}
        {props.sentTo ? (
          <div class="flash success" role="status">
            If an account exists for {props.sentTo}, we sent it a link to choose a new password. The
            link works once, for an hour.
          </div>
        ) : (
          <form method="post" action="/forgot-password">
            <CsrfField token={props.chrome.csrfToken} />
            <p class="small muted">Enter your account's address and we will email you a link.</p>
            <label for="email">Email</label>
            <input
              id="email"
              name="email"
              type="email"
              required
              maxlength={254}
              value={props.email ?? ''}
              autocomplete="email"
            />
            <p>
              <button type="submit">Send the link</button>
            </p>
          </form>
        )}
        <p class="small">
          <a href="/login">Back to sign in</a>
        </p>
      </div>
    </Layout>
  );
}

export function ResetPasswordPage(props: { chrome: PageChrome; token: string; error?: string }) {
  return (
    <Layout {...props.chrome}>
      <div class="card auth">
        <h1>Choose a new password</h1>
        {props.error && (
          <div class="flash error" role="alert">
            {props.error}
          </div>
        )}
        {props.token ? (
          <form method="post" action="/reset-password">
            <CsrfField token={props.chrome.csrfToken} />
            <input type="hidden" name="token" value={props.token} />
            <label for="password">New password</label>
            <input
              id="password"
              name="password"
              type="password"
              required
              minlength={8}
              autocomplete="new-password"
            />
            <p class="small muted">At least 8 characters. You will be signed out everywhere.</p>
            <p>
              <button type="submit">Change password</button>
            </p>
          </form>
        ) : null}
        <p class="small">
          <a href="/forgot-password">Ask for a new link</a>
        </p>
      </div>
    </Layout>
  );
}
