// The typed Hono environment every route and middleware of the app shares.
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { Role } from '../workspaces/schema.js';
import type { Workspace } from '../workspaces/workspace.js';
import type { Flash } from './flash.js';

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
