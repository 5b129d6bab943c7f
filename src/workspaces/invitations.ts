// Invitations: an admin invites an email with a role; the link carries a one-time token whose
// hash is all we store, and goes to the invitee by mail (queued in the same transaction). The
// invitee signs in (or up) with that email, verifies it, and accepts.
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { user as users } from '../auth/schema.js';
import {
  requireVerifiedAccount,
  requireVerifiedEmail,
  type VerificationPolicy,
} from '../auth/verification.js';
import type { Db } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { newId, newToken, sha256 } from '../lib/crypto.js';
import { emailField, parseInput } from '../lib/input.js';
import type { Mail } from '../mail/index.js';
import { invitation as invitationMail } from '../mail/templates/workspace.js';
import { enforce, LIMITS } from '../security/rate-limit.js';
import { recordAudit } from './audit/log.js';
import type { MembersChanged } from './hooks.js';
import { assertWithinLimit, pendingInvitationsOf } from './limits.js';
import { type Invitation, invitations, memberships, type Role, workspaces } from './schema.js';
import { lesserRole, toWorkspace, type Workspace } from './workspace.js';

const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

export function acceptUrlFor(appUrl: string, token: string): string {
  return `${appUrl}/invitations/${token}`;
}

export async function createInvitation(
  db: Db,
  opts: {
    workspaceId: string;
    email: unknown;
    role: Role;
    /** The user the invitation speaks for (a key's creator when sent with an API key). */
    invitedBy: string;
    appUrl: string;
    /** The invitation mail is queued with the invitation, so neither exists without the other. */
    mail: Mail;
  },
): Promise<{ invitation: Invitation; token: string; acceptUrl: string }> {
  const email = parseInput(emailField, opts.email);
  await requireVerifiedAccount(db, opts.invitedBy, 'invite anyone');
  // Each invitation is a mail with our name on it: counted per inviter and per address.
  await enforce(
    db,
    [
      [LIMITS.invitationSender, opts.invitedBy],
      [LIMITS.invitationRecipient, email],
    ],
    'invitations',
  );
  const token = newToken();
  const acceptUrl = acceptUrlFor(opts.appUrl, token);
  const invitation = await db.transaction(async (tx) => {
    // The limit check locks the workspace row, so the duplicate checks below cannot race a
    // second invitation for the same address.
    await assertWithinLimit(tx, {
      workspaceId: opts.workspaceId,
      limit: 'members',
      invitation: true,
    });
    await assertNotInvitedYet(tx, { workspaceId: opts.workspaceId, email });
    const [created] = await tx
      .insert(invitations)
      .values({
        id: newId('inv'),
        workspaceId: opts.workspaceId,
        email,
        role: opts.role,
        tokenHash: sha256(token),
        invitedBy: opts.invitedBy,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      })
      .returning();
    await recordAudit(tx, {
      workspaceId: opts.workspaceId,
      action: 'member.invited',
      actor: opts.invitedBy,
      detail: { email, role: opts.role },
    });
    const [names] = await tx
      .select({ workspace: workspaces.name, inviter: users.name })
      .from(workspaces)
      .leftJoin(users, eq(users.id, opts.invitedBy))
      .where(eq(workspaces.id, opts.workspaceId));
    await opts.mail.queue(tx, {
      kind: 'invitation',
      to: email,
      content: invitationMail({
        inviterName: names?.inviter ?? 'An admin',
        workspaceName: names?.workspace ?? 'a workspace',
        role: opts.role,
        url: acceptUrl,
      }),
    });
    return created!;
  });
  opts.mail.notify();
  return { invitation, token, acceptUrl };
}

/**
 * An address that already belongs to a member, or already has a pending invitation, gets no
 * second one (and no second mail): the admin is told which, as an error about the email field.
 */
async function assertNotInvitedYet(tx: Db, opts: { workspaceId: string; email: string }) {
  const [member] = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.workspaceId, opts.workspaceId),
        sql`lower(${users.email}) = ${opts.email}`,
      ),
    );
  if (member) {
    throw new AppError('conflict', `${opts.email} is already a member of this workspace`, {
      details: { field: 'email' },
    });
  }
  const [pending] = await tx
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(pendingInvitationsOf(opts.workspaceId), eq(invitations.email, opts.email)));
  if (pending) {
    throw new AppError(
      'conflict',
      `${opts.email} already has a pending invitation: withdraw it to send a new one`,
      { details: { field: 'email' } },
    );
  }
}

export async function listPendingInvitations(db: Db, workspaceId: string): Promise<Invitation[]> {
  return db
    .select()
    .from(invitations)
    .where(pendingInvitationsOf(workspaceId))
    .orderBy(desc(invitations.createdAt));
}

export async function revokeInvitation(
  db: Db,
  opts: { workspaceId: string; invitationId: string },
): Promise<void> {
  const rows = await db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(eq(invitations.id, opts.invitationId), eq(invitations.workspaceId, opts.workspaceId)),
    )
    .returning({ id: invitations.id });
  if (rows.length === 0) throw notFound('No such invitation');
}

export type InvitationState = 'pending' | 'accepted' | 'revoked' | 'expired';

export function invitationState(inv: Invitation, now = new Date()): InvitationState {
  if (inv.acceptedAt) return 'accepted';
  if (inv.revokedAt) return 'revoked';
  if (inv.expiresAt <= now) return 'expired';
  return 'pending';
}

/** Looks an invitation up by the token from its link; unknown tokens are a 404. */
export async function findInvitation(
  db: Db,
  token: string,
): Promise<{ invitation: Invitation; workspace: Workspace }> {
  const [row] = await db
    .select({ invitation: invitations, workspace: workspaces })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(eq(invitations.tokenHash, sha256(token)));
  if (!row) throw notFound('This invitation link is not valid');
  return { invitation: row.invitation, workspace: toWorkspace(row.workspace) };
}

/**
 * The pending invitation behind `token` when it was sent to `email`, or null (unknown, used,
 * withdrawn, expired, or for another address): what a sign-up from an invitation link checks.
 */
export async function findPendingInvitationFor(
  db: Db,
  token: string,
  email: string,
): Promise<{ invitation: Invitation; workspace: Workspace } | null> {
  if (token.length > 200) return null;
  try {
    const found = await findInvitation(db, token);
    if (invitationState(found.invitation) !== 'pending') return null;
    return found.invitation.email === email.toLowerCase() ? found : null;
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  }
}

/**
 * Accepts an invitation for a signed-in user whose email it was sent to and who verified it
 * (unless EMAIL_VERIFICATION=optional): otherwise anyone could register the invited address
 * without owning it. Accepting twice, or as someone who is already a member, is harmless and
 * keeps the existing role.
 */
export async function acceptInvitation(
  db: Db,
  opts: {
    token: string;
    user: { id: string; email: string; emailVerified: boolean };
    verification: VerificationPolicy;
    /** Told of the join in its transaction (billing's seat count). */
    onMembersChanged?: MembersChanged;
  },
): Promise<{ workspace: Workspace; role: Role }> {
  return db.transaction(async (tx) => {
    const { invitation, workspace } = await findInvitation(tx, opts.token);
    const state = invitationState(invitation);
    if (state === 'revoked') throw new AppError('conflict', 'This invitation was withdrawn');
    if (state === 'expired')
      throw new AppError('conflict', 'This invitation has expired; ask for a new one');
    if (invitation.email !== opts.user.email.toLowerCase()) {
      throw new AppError(
        'forbidden',
        `This invitation was sent to ${invitation.email}; sign in with that address to accept it`,
      );
    }
    requireVerifiedEmail(opts.user, opts.verification, 'accept an invitation');
    // An invitation speaks for the admin who sent it, with no more power than they have now.
    const inviterRole = invitation.invitedBy
      ? await roleOf(tx, { workspaceId: invitation.workspaceId, userId: invitation.invitedBy })
      : null;
    if (state === 'pending' && !inviterRole) {
      throw new AppError(
        'conflict',
        'This invitation is no longer valid: the person who sent it has left the workspace. Ask an admin for a new one.',
      );
    }
    const granted = inviterRole ? lesserRole(invitation.role, inviterRole) : 'member';
    await assertWithinLimit(tx, {
      workspaceId: invitation.workspaceId,
      limit: 'members',
      joiningUserId: opts.user.id,
    });
    const inserted = await tx
      .insert(memberships)
      .values({ workspaceId: invitation.workspaceId, userId: opts.user.id, role: granted })
      .onConflictDoNothing()
      .returning({ role: memberships.role });
    if (inserted.length > 0) {
      await recordAudit(tx, {
        workspaceId: invitation.workspaceId,
        action: 'member.joined',
        actor: opts.user.id,
        detail: { email: invitation.email, role: invitation.role },
      });
      await opts.onMembersChanged?.(tx, invitation.workspaceId);
    }
    if (state === 'pending') {
      await tx
        .update(invitations)
        .set({ acceptedAt: new Date() })
        .where(eq(invitations.id, invitation.id));
    } else if (inserted.length === 0) {
      // Already accepted and already a member: nothing to do.
    } else {
      throw new AppError('conflict', 'This invitation has already been used');
    }
    const [membership] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, invitation.workspaceId),
          eq(memberships.userId, opts.user.id),
        ),
      );
    return { workspace, role: membership!.role };
  });
}

async function roleOf(db: Db, opts: { workspaceId: string; userId: string }): Promise<Role | null> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, opts.workspaceId), eq(memberships.userId, opts.userId)));
  return row?.role ?? null;
}

/** Withdraws every pending invitation `userId` sent in the workspace (they are leaving it). */
export async function revokeInvitationsSentBy(
  db: Db,
  opts: { workspaceId: string; userId: string },
): Promise<number> {
  const rows = await db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.workspaceId, opts.workspaceId),
        eq(invitations.invitedBy, opts.userId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .returning({ id: invitations.id });
  return rows.length;
}
