// The page shell: skip link, header (brand, workspace menu, workspace navigation, account
// menu; a menu button on phones), the flash as a toast, content, footer. Also the error page.
import type { Child } from 'hono/jsx';
import type { Flash } from './flash.js';
import { Button, CsrfField, PostButton, Toast } from './ui.js';

export { CsrfField, PostButton };

export interface NavWorkspace {
  id: string;
  name: string;
  plan: PlanBadgeView;
}

/** A plan as the nav shows it (the web layer knows no plan model). */
export interface PlanBadgeView {
  label: string;
  paid: boolean;
  /** The plan an upgrade leads to (the catalog's lowest paid plan), named in the call to action. */
  upgradeTo: string;
}

/** One link of the current workspace's navigation. */
export interface NavLink {
  href: string;
  label: string;
  /** The plan this page needs, when the workspace lacks it ("Pro"): shown as "Reports · Pro". */
  needs?: string;
}

export interface PageChrome {
  title: string;
  csrfToken: string;
  flash: Flash | null;
  /** `emailVerified: false` puts the "confirm your address" banner on every page. */
  user?: { name: string; email: string; emailVerified?: boolean } | null;
  workspaces?: NavWorkspace[];
  /** The workspace the page is about, if any: named in the workspace menu with its plan. */
  current?: (NavWorkspace & { links?: NavLink[] }) | null;
  /** The request path, to mark the current navigation link with aria-current="page". */
  path?: string;
  /** Set while the signed-in user must still confirm this address: a banner on every page. */
  unverifiedEmail?: string | null;
}

export function PlanBadge({ plan }: { plan: PlanBadgeView }) {
  return <span class={plan.paid ? 'badge pro' : 'badge'}>{plan.label}</span>;
}

/** The mark: a gate (two posts and a bar) in the accent colour. Also the favicon. */
export const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4338ca"/><path d="M9 8v16M23 8v16M9 13h14" stroke="#fff" stroke-width="3.2" stroke-linecap="round"/></svg>';

function Logo() {
  return (
    <svg width="24" height="24" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#4338ca" />
      <path d="M9 8v16M23 8v16M9 13h14" stroke="#fff" stroke-width="3.2" stroke-linecap="round" />
    </svg>
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('') || '?';

const samePage = (href: string, path: string | undefined) =>
  path !== undefined && !href.includes('#') && href.replace(/\/$/, '') === path.replace(/\/$/, '');

function NavLinks(props: { links: NavLink[]; path?: string }) {
  return (
    <>
      {props.links.map((link) => (
        <li>
          <a href={link.href} aria-current={samePage(link.href, props.path) ? 'page' : undefined}>
            {link.label}
            {link.needs && ' '}
            {link.needs && (
              <span class="nav-tag">
                <span aria-hidden="true">·</span> {link.needs}
              </span>
            )}
          </a>
        </li>
      ))}
    </>
  );
}

/** Lists the user's workspaces (current one marked) and "Create workspace". */
function WorkspaceMenu(props: { workspaces: NavWorkspace[]; current?: NavWorkspace | null }) {
  const { current } = props;
  return (
    <details class="menu workspace-menu" name="header-menu">
      <summary>
        {current ? (
          <>
            <span class="visually-hidden">Workspace: </span>
            <span class="label">{current.name}</span> <PlanBadge plan={current.plan} />
          </>
        ) : (
          <span class="label">Workspaces</span>
        )}
      </summary>
      <div class="menu-panel">
        <p class="menu-heading" id="workspace-menu-heading">
          Workspaces
        </p>
        <ul class="menu-list" aria-labelledby="workspace-menu-heading">
          {props.workspaces.map((w) => (
            <li>
              <a
                href={`/workspace/${w.id}/settings`}
                aria-current={w.id === current?.id ? 'true' : undefined}
              >
                <span>{w.name}</span>
                <span class="nav-tag">{w.plan.label}</span>
              </a>
            </li>
          ))}
        </ul>
        <hr class="menu-divider" />
        <ul class="menu-list">
          <li>
            <a href="/dashboard">All workspaces</a>
          </li>
          <li>
            <a href="/dashboard#new-workspace">Create workspace</a>
          </li>
        </ul>
      </div>
    </details>
  );
}

function AccountMenu(props: { user: { name: string; email: string }; csrfToken: string }) {
  return (
    <details class="menu account-menu desktop-only" name="header-menu">
      <summary>
        <span class="avatar" aria-hidden="true">
          {initials(props.user.name)}
        </span>
        <span class="visually-hidden">Account: {props.user.name}</span>
      </summary>
      <div class="menu-panel end">
        <AccountItems {...props} />
      </div>
    </details>
  );
}

function AccountItems(props: { user: { name: string; email: string }; csrfToken: string }) {
  return (
    <>
      <div class="menu-identity">
        <strong>{props.user.name}</strong>
        <span>{props.user.email}</span>
      </div>
      <hr class="menu-divider" />
      <ul class="menu-list">
        <li>
          <a href="/dashboard">Dashboard</a>
        </li>
        <li>
          <a href="/account">Account</a>
        </li>
        <li>
          <form method="post" action="/logout">
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="menu-item">
              Sign out
            </button>
          </form>
        </li>
      </ul>
    </>
  );
}

export function Layout(props: PageChrome & { children?: Child }) {
  const { user, workspaces = [], current } = props;
  const links = current?.links ?? [];
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Tollgate`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer />
      </head>
      <body>
        <a class="skip-link" href="#content">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href={user ? '/dashboard' : '/'}>
              <Logo />
              <span class={user ? 'brand-name collapse' : 'brand-name'}>Tollgate</span>
            </a>
            {user && (
              <>
                <span class="sep desktop-only" aria-hidden="true">
                  /
                </span>
                <WorkspaceMenu workspaces={workspaces} current={current} />
              </>
            )}
            {user && links.length > 0 && (
              <nav class="primary desktop-only" aria-label="Workspace">
                <ul>
                  <NavLinks links={links} path={props.path} />
                </ul>
              </nav>
            )}
            <span class="spacer" />
            {user && current && !current.plan.paid && (
              <span class="header-cta">
                <a href={`/workspace/${current.id}/upgrade/`} class="small">
                  Upgrade to {current.plan.upgradeTo}
                </a>
              </span>
            )}
            {user ? (
              <>
                <AccountMenu user={user} csrfToken={props.csrfToken} />
                <details class="menu mobile-only mobile-nav" name="header-menu">
                  <summary>Menu</summary>
                  <div class="menu-panel end">
                    {links.length > 0 && (
                      <nav aria-label="Workspace (menu)">
                        <ul class="menu-list">
                          <NavLinks links={links} path={props.path} />
                        </ul>
                      </nav>
                    )}
                    {current && !current.plan.paid && (
                      <ul class="menu-list">
                        <li>
                          <a href={`/workspace/${current.id}/upgrade/`}>
                            Upgrade to {current.plan.upgradeTo}
                          </a>
                        </li>
                      </ul>
                    )}
                    {links.length > 0 && <hr class="menu-divider" />}
                    <AccountItems user={user} csrfToken={props.csrfToken} />
                  </div>
                </details>
              </>
            ) : (
              <nav class="primary" aria-label="Site">
                <ul>
                  <li class="desktop-only">
                    <a
                      href="/pricing"
                      aria-current={props.path === '/pricing' ? 'page' : undefined}
                    >
                      Pricing
                    </a>
                  </li>
                  <li>
                    <a href="/login" aria-current={props.path === '/login' ? 'page' : undefined}>
                      Sign in
                    </a>
                  </li>
                  <li>
                    <Button href="/signup" size="sm">
                      Sign up
                    </Button>
                  </li>
                </ul>
              </nav>
            )}
          </div>
        </header>
        {user && user.emailVerified === false && (
          <VerifyBanner email={user.email} csrfToken={props.csrfToken} />
        )}
        <main id="content" tabindex={-1}>
          <Toast message={props.flash} />
          {props.children}
        </main>
        <footer class="site">
          <div class="inner">
            <span>Tollgate</span>
            <a href="/pricing">Pricing</a>
            {user && <a href="/account">Account</a>}
          </div>
        </footer>
      </body>
    </html>
  );
}

/**
 * On every page until the address is confirmed: where the link went, and a way to send it
 * again. A landmark of its own (region), so it is found but not mistaken for the page's message.
 */
function VerifyBanner(props: { email: string; csrfToken: string }) {
  return (
    <section class="verify-banner" aria-label="Confirm your email address" data-verify-banner="">
      <div class="inner">
        <span>
          <strong>Confirm your email address.</strong> We sent a link to {props.email}. Billing, API
          keys and invitations wait for it.
        </span>
        <PostButton
          action="/account/verify/resend"
          token={props.csrfToken}
          label="Send it again"
          variant="secondary"
          size="sm"
        />
      </div>
    </section>
  );
}

/** Whom to ask and where to go back, when the error happened inside a workspace. */
export interface ErrorWorkspace {
  id: string;
  name: string;
  /** The workspace's admins by name (shown on 403: "ask Ada or Grace"). */
  admins?: string[];
}

const listNames = (names: string[]) =>
  names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** What the page says above the server's message, per status. */
function explain(status: number): { heading: string; lead: string } {
  if (status === 404)
    return {
      heading: 'Page not found',
      lead: 'This address does not lead anywhere you can see: the link may be old, or the page was removed.',
    };
  if (status === 403)
    return {
      heading: 'You do not have access',
      lead: 'Your role in this workspace does not allow this.',
    };
  if (status === 402)
    return { heading: 'This needs a paid plan', lead: 'The workspace plan does not include this.' };
  if (status === 429)
    return { heading: 'Too many requests', lead: 'Wait a moment before trying again.' };
  if (status === 503)
    return {
      heading: 'Briefly unavailable',
      lead: 'A service we depend on did not answer. Nothing you did caused this.',
    };
  if (status >= 500)
    return {
      heading: 'Something went wrong',
      lead: 'The error was on our side and has been logged. Nothing you did caused this.',
    };
  return { heading: 'That did not work', lead: 'The request could not be completed.' };
}

export function ErrorPage(
  props: PageChrome & {
    status: number;
    message: string;
    /** Where to go next (e.g. the upgrade page). */
    link?: { href: string; label: string };
    /** A way out offered under the message (a one-button form). */
    action?: { post: string; label: string };
    /** The workspace the error happened in, if the user may see it. */
    workspace?: ErrorWorkspace | null;
  },
) {
  const { heading, lead } = explain(props.status);
  // "Page not found" under "Page not found" says nothing: show the server's words only when
  // they add something.
  const generic = [heading, props.title, 'Not found', 'Page not found', 'Bad request'];
  const specific = !generic.some((g) => g.toLowerCase() === props.message.toLowerCase());
  const ws = props.workspace;
  const admins = ws?.admins ?? [];
  return (
    <Layout {...props}>
      <div class="error-page">
        <div class="card">
          <p class="status-code">Error {props.status}</p>
          <h1>{heading}</h1>
          {specific ? (
            <>
              <p>{sentence(props.message)}</p>
              <p class="muted">{lead}</p>
            </>
          ) : (
            <p>{lead}</p>
          )}
          {props.status === 403 && ws && admins.length > 0 && (
            <p data-testid="ask-admins">
              If you need this, ask {admins.length === 1 ? 'the admin of' : 'an admin of'}{' '}
              <strong>{ws.name}</strong>: {listNames(admins)}.
            </p>
          )}
          <div class="actions">
            {props.link && <Button href={props.link.href}>{props.link.label}</Button>}
            {props.action && (
              <PostButton
                action={props.action.post}
                token={props.csrfToken}
                label={props.action.label}
              />
            )}
            {ws ? (
              <Button
                href={`/workspace/${ws.id}/settings`}
                variant={props.link || props.action ? 'secondary' : 'primary'}
              >
                Back to {ws.name}
              </Button>
            ) : null}
            {props.user ? (
              <Button
                href="/dashboard"
                variant={ws || props.link || props.action ? 'secondary' : 'primary'}
              >
                Back to your dashboard
              </Button>
            ) : (
              <Button href="/" variant={props.link || props.action ? 'secondary' : 'primary'}>
                Go to the home page
              </Button>
            )}
          </div>
        </div>
      </div>
    </Layout>
  );
}
