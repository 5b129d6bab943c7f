// The page shell: navigation (workspace switcher, plan badge, account), flash message, content.
import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from './csrf.js';
import type { Flash } from './flash.js';

export interface NavWorkspace {
  id: string;
  name: string;
  plan: PlanBadgeView;
}

/** A plan as the nav shows it (the web layer knows no plan model). */
export interface PlanBadgeView {
  label: string;
  paid: boolean;
}

export interface PageChrome {
  title: string;
  csrfToken: string;
  flash: Flash | null;
  user?: { name: string; email: string } | null;
  workspaces?: NavWorkspace[];
  /** The workspace the page is about, if any: shown with its plan badge in the nav. */
  current?: NavWorkspace | null;
}

export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A one-button form that POSTs (with its CSRF token) — for actions, never links. */
export function PostButton(props: {
  action: string;
  token: string;
  label: string;
  variant?: 'secondary' | 'danger' | 'link';
  fields?: Record<string, string>;
  confirm?: string;
}) {
  return (
    <form method="post" action={props.action} class="inline">
      <CsrfField token={props.token} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class={props.variant ?? ''}>
        {props.label}
      </button>
    </form>
  );
}

export function PlanBadge({ plan }: { plan: PlanBadgeView }) {
  return <span class={plan.paid ? 'badge pro' : 'badge'}>{plan.label}</span>;
}

export function Layout(props: PageChrome & { children?: Child }) {
  const { user, workspaces = [], current } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Tollgate`}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <header class="top">
          <div class="bar">
            <a class="brand" href={user ? '/dashboard' : '/'}>
              Tollgate
            </a>
            {user && current && (
              <span>
                <a href={`/workspace/${current.id}/settings`}>{current.name}</a>{' '}
                <PlanBadge plan={current.plan} />
                {!current.plan.paid && (
                  <>
                    {' '}
                    <a href={`/workspace/${current.id}/upgrade/`} class="small">
                      Upgrade to Pro
                    </a>
                  </>
                )}
              </span>
            )}
            {user && workspaces.length > 1 && (
              <form method="get" action="/workspaces/switch" class="inline">
                <select name="id" aria-label="Switch workspace">
                  {workspaces.map((w) => (
                    <option value={w.id} selected={w.id === current?.id}>
                      {w.name}
                    </option>
                  ))}
                </select>
                <button type="submit" class="secondary">
                  Go
                </button>
              </form>
            )}
            {user ? (
              <>
                <a href="/dashboard">Dashboard</a>
                <a class="muted small" href="/account">
                  {user.email}
                </a>
                <PostButton
                  action="/logout"
                  token={props.csrfToken}
                  label="Sign out"
                  variant="secondary"
                />
              </>
            ) : (
              <>
                <a href="/login">Sign in</a>
                <a class="button" href="/signup">
                  Sign up
                </a>
              </>
            )}
          </div>
        </header>
        <main>
          {props.flash && (
            <div class={`flash ${props.flash.type}`} role="status">
              {props.flash.message}
            </div>
          )}
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function ErrorPage(
  props: PageChrome & {
    status: number;
    message: string;
    /** Where to go next (e.g. the upgrade page). */
    link?: { href: string; label: string };
    /** A way out offered under the message (a one-button form). */
    action?: { post: string; label: string };
  },
) {
  return (
    <Layout {...props}>
      <div class="card">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        {props.link && (
          <p>
            <a class="button" href={props.link.href}>
              {props.link.label}
            </a>
          </p>
        )}
        {props.action && (
          <PostButton
            action={props.action.post}
            token={props.csrfToken}
            label={props.action.label}
          />
        )}
        <p>
          <a href="/dashboard">Back to your dashboard</a>
        </p>
      </div>
    </Layout>
  );
}
