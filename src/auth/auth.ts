// Better Auth: email + password accounts and database sessions. Password hashing, session
// tokens and cookies are Better Auth's; we only add "a new account gets its own workspace"
// (unless it signed up to accept an invitation to someone else's).
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError } from 'better-auth/api';
import type { Db } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { Mail } from '../mail/index.js';
import { passwordReset, verifyEmail } from '../mail/templates/account.js';
import { safeNext } from '../web/negotiate.js';
import { findPendingInvitationFor } from '../workspaces/invitations.js';
import { createWorkspace, personalWorkspaceName } from '../workspaces/service.js';
import type { SessionUser } from './identity.js';
import { revokeResetLinks } from './reset-links.js';
import * as authSchema from './schema.js';
import { UserFields } from './user-fields.js';

/**
 * The header through which we tell Better Auth the client's address (for its session records).
 * Ours alone: src/app.tsx strips any copy a client sends, unlike X-Forwarded-For.
 */
export const CLIENT_IP_HEADER = 'x-tollgate-client-ip';

/**
 * The invitation token a sign-up comes from (set by /signup?next=/invitations/…). Whoever sends
 * it, it only counts when it is a pending invitation for the new account's own address.
 */
export const INVITATION_HEADER = 'x-tollgate-invitation';

/** Better Auth writes users from several endpoints; every write passes this check first. */
function checkUserFields(fields: { name?: unknown; email?: unknown; image?: unknown }) {
  const result = UserFields.safeParse({
    name: fields.name,
    email: fields.email,
    image: fields.image,
  });
  if (!result.success) {
    throw new APIError('BAD_REQUEST', { message: result.error.issues[0]?.message ?? 'Invalid' });
  }
}

export interface AuthOptions {
  db: Db;
  secret: string;
  appUrl: string;
  logger: Logger;
  /**
   * True while the database connection is known to be lost: Better Auth would log an error for
   * every request meanwhile, and the connection monitor has already said it once.
   */
  databaseDown?: () => boolean;
  mail: Mail;
  /**
   * Called when an address is proven: its verification link opened, or a reset completed
   * (src/auth/claims.ts records what the account did before, for review).
   */
  onRecovered?: (userId: string, how: 'verified' | 'reset') => Promise<void>;
}

/** Reset links last an hour and work once (Better Auth deletes the token when it is used). */
export const RESET_TOKEN_TTL_SECONDS = 60 * 60;
const VERIFY_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/**
 * Where a verification link lands: Better Auth checks the token, then redirects to
 * /account/verified (which says so in a toast) and on to `callback` (/account, or the
 * invitation the account was made for).
 */
export function verificationUrl(appUrl: string, token: string, callback = '/account'): string {
  const landing = `/account/verified?next=${encodeURIComponent(callback)}`;
  return `${appUrl}/api/auth/verify-email?token=${encodeURIComponent(token)}&callbackURL=${encodeURIComponent(landing)}`;
}

/**
 * Where the link should land: the invitation page a sign-up came from (the callbackURL Better
 * Auth put in its own link), otherwise /account.
 */
function callbackOf(url: string): string {
  try {
    const next = safeNext(new URL(url).searchParams.get('callbackURL'), '/account');
    return next.startsWith('/invitations/') ? next : '/account';
  } catch {
    return '/account';
  }
}

export function resetUrl(appUrl: string, token: string): string {
  return `${appUrl}/reset-password?token=${encodeURIComponent(token)}`;
}

export function createAuth({
  db,
  secret,
  appUrl,
  logger,
  databaseDown,
  mail,
  onRecovered,
}: AuthOptions) {
  const log = logger.child({ module: 'auth' });
  return betterAuth({
    appName: 'Tollgate',
    baseURL: appUrl,
    basePath: '/api/auth',
    secret,
    trustedOrigins: [new URL(appUrl).origin],
    database: drizzleAdapter(db, { provider: 'pg', schema: authSchema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      // Our own page (/reset-password) takes the token from the link; the mail goes through the
      // outbox like every other, and the answer to the request is the same whether or not the
      // address has an account (Better Auth's, and our /forgot-password page's).
      sendResetPassword: async ({ user, token }) => {
        await mail.send({
          kind: 'password_reset',
          to: user.email,
          content: passwordReset({
            name: user.name,
            url: resetUrl(appUrl, token),
            expiresInMinutes: RESET_TOKEN_TTL_SECONDS / 60,
          }),
        });
      },
      resetPasswordTokenExpiresIn: RESET_TOKEN_TTL_SECONDS,
      revokeSessionsOnPasswordReset: true,
      // A reset proves the mailbox: the address counts as verified, every other reset link
      // dies, and what the account did before it was claimed is listed for review.
      onPasswordReset: async ({ user }) => {
        await onRecovered?.(user.id, 'reset');
      },
    },
    emailVerification: {
      // Sent at sign-up whatever EMAIL_VERIFICATION says: `optional` only relaxes the gates.
      sendOnSignUp: true,
      // A link verifies an address; it never signs anyone in (whoever opens it).
      autoSignInAfterVerification: false,
      afterEmailVerification: async (user) => {
        await onRecovered?.(user.id, 'verified');
      },
      expiresIn: VERIFY_TOKEN_TTL_SECONDS,
      sendVerificationEmail: async ({ user, token, url }) => {
        await mail.send({
          kind: 'verify_email',
          to: user.email,
          content: verifyEmail({
            name: user.name,
            url: verificationUrl(appUrl, token, callbackOf(url)),
          }),
        });
      },
    },
    user: {
      // A new address is unverified until its link is clicked (Better Auth sends it there).
      changeEmail: { enabled: true, updateEmailWithoutVerification: true },
    },
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    advanced: {
      // Secure cookies whenever the app is served over https (always in production).
      useSecureCookies: appUrl.startsWith('https://'),
      cookiePrefix: 'tollgate',
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', path: '/' },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    telemetry: { enabled: false },
    // Our own limiter (src/auth/throttle.ts, src/security/) guards every sign-in, sign-up and
    // password route, web and JSON, with counters all instances share; Better Auth's in-memory
    // one would count per process and could not see the web routes.
    rateLimit: { enabled: false },
    logger: {
      log: (level, message) => {
        if (level === 'error' && databaseDown?.()) return;
        log[level](message);
      },
    },
    databaseHooks: {
      account: {
        update: {
          // A changed password (the account page, /api/auth/change-password) ends every reset
          // link; a reset ends them in onPasswordReset above.
          after: async (account) => {
            if (account.password) await revokeResetLinks(db, account.userId);
          },
        },
      },
      user: {
        update: {
          before: async (data) => {
            checkUserFields(data);
            return { data };
          },
        },
        create: {
          before: async (data) => {
            checkUserFields(data);
            return { data };
          },
          // Web form and /api/auth/sign-up/email both land here, so every account starts
          // with "<Name>'s Workspace" and its owner as admin — except one made to accept an
          // invitation: that person came to join a team, not to own an empty workspace.
          after: async (created, ctx) => {
            const invitation = ctx?.headers?.get(INVITATION_HEADER);
            if (invitation && (await findPendingInvitationFor(db, invitation, created.email))) {
              return;
            }
            await createWorkspace(db, {
              name: personalWorkspaceName(created.name),
              ownerId: created.id,
            });
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

export type { SessionUser };
