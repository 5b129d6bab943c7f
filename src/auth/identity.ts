// Who a request acts for, as types only: a signed-in user or a workspace API key. The floor under
// auth's middleware and web/env.ts (AppEnv), which both name it.
import type { Role } from '../workspaces/schema.js';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
}

export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string;
  /** The role the key acts with now: the lesser of its own and its creator's current role. */
  role: Role;
  /** The user the key acts for (its creator). */
  createdBy: string;
}

export type Principal =
  | { kind: 'user'; user: SessionUser; sessionId: string }
  | { kind: 'apiKey'; apiKey: ApiKeyPrincipal };
