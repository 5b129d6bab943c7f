// The typed Hono environment every route and middleware of the app shares.
import type { Principal } from '../auth/identity.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { Role } from '../workspaces/schema.js';
import type { Workspace } from '../workspaces/workspace.js';

/** A one-shot message across a redirect (./flash.ts), and where on the page it belongs. */
export interface FlashScope {
  /** The id of the page section the message belongs in (`members`, `api-keys`, …). */
  section?: string;
  /** The form field an error is about: the page marks it aria-invalid with the message. */
  field?: string;
  /** What the user typed, put back into the form (never passwords or secrets). */
  values?: Record<string, string>;
  /** The id of a one-time reveal (src/web/reveal.ts) for the page to take. */
  reveal?: string;
  /** Where to go about it (the plans, when a limit was reached): Feedback and Toast show it. */
  link?: { href: string; label: string };
}

export interface Flash extends FlashScope {
  type: 'success' | 'error' | 'info';
  message: string;
}

export interface WebSettings {
  appUrl: string;
  /** Origin of appUrl: the only origin whose cookie-authenticated writes we accept. */
  appOrigin: string;
  cookieSecret: string;
  secureCookies: boolean;
  /** EMAIL_VERIFICATION: 'required' blocks billing and invitations until the address is confirmed. */
  emailVerification: 'required' | 'optional';
}

export type AppVariables = {
  web: WebSettings;
  /** The app's database, for guards that are plain factories (`requireWorkspaceAccess('admin')`). */
  db: Db;
  requestId: string;
  log: Logger;
  /** The client's address (src/security/client-ip.ts), null when there is no socket. */
  clientIp: string | null;
  principal: Principal | null;
  csrfToken: string;
  flash: Flash | null;
  /** Set by requireWorkspaceAccess. */
  workspace: Workspace;
  role: Role;
};

export type AppEnv = { Variables: AppVariables };
