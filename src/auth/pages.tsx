// Sign-up and sign-in pages.
import { CsrfField, Layout, type PageChrome } from '../web/layout.js';

interface AuthFormProps {
  chrome: PageChrome;
  next: string;
  error?: string;
  values?: { name?: string; email?: string };
}

export function SignupPage({ chrome, next, error, values }: AuthFormProps) {
  return (
    <Layout {...chrome}>
      <div class="card auth">
        <h1>Create your account</h1>
        {error && <div class="flash error">{error}</div>}
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
        {error && <div class="flash error">{error}</div>}
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
          New here? <a href={`/signup?next=${encodeURIComponent(next)}`}>Create an account</a>
        </p>
      </div>
    </Layout>
  );
}
