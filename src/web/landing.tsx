// The landing page at `/` for signed-out visitors (signed-in users go to their dashboard).
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import type { AppEnv } from './env.js';
import { Layout, type PageChrome } from './layout.js';
import { pageChrome } from './render.js';
import { Button } from './ui.js';

const FEATURES = [
  {
    title: 'Workspaces for your team',
    text: 'Invite people by email, give them admin or member roles, and hand out API keys scoped to one workspace.',
  },
  {
    title: 'Plans that bill themselves',
    text: 'Upgrade through Stripe Checkout, manage cards and invoices in the Stripe portal, switch plans with a prorated preview.',
  },
  {
    title: 'Features gated by plan',
    text: 'Pages and API calls check what the workspace plan includes, and tell members which admin can upgrade.',
  },
];

export function LandingPage({ chrome }: { chrome: PageChrome }) {
  return (
    <Layout {...chrome}>
      <section class="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Team workspaces with billing built in</h1>
        <p class="lede">
          Tollgate gives every workspace its own members, roles, API keys and plan, billed on
          Stripe. Start free; upgrade when your team needs more.
        </p>
        <div class="actions">
          <Button href="/signup">Sign up free</Button>
          <Button href="/pricing" variant="secondary">
            See pricing
          </Button>
        </div>
        <p class="small muted">
          Already have an account? <a href="/login">Sign in</a>
        </p>
      </section>
      <ul class="features" aria-label="Features">
        {FEATURES.map((f) => (
          <li>
            <h2>{f.title}</h2>
            <p>{f.text}</p>
          </li>
        ))}
      </ul>
    </Layout>
  );
}

export function landingWebRoutes({ database }: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    if (c.var.principal) return c.redirect('/dashboard');
    return c.html(
      <LandingPage chrome={await pageChrome(c, database.db, 'Workspaces and billing')} />,
    );
  });
  return app;
}
