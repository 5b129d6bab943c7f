// "Ask an admin": a member who meets a gated feature mails the workspace's admins, at most once a
// day per member and feature (the outbox's dedupe key carries the day), with a link to upgrade.
import type { Db } from '../db/client.js';
import type { Mail } from '../mail/index.js';
import { upgradeRequest } from '../mail/templates/upgrade.js';
import type { Feature } from '../plans/catalog.js';
import { FEATURE_COPY, lowestPlanWith } from '../plans/vocabulary.js';
import { listAdmins } from '../workspaces/members.js';
import type { Workspace } from '../workspaces/workspace.js';

export interface AskAdminResult {
  /** The admins told, by name (the page says "We told Ada"). */
  told: string[];
  /** False when this member already asked for this feature today: nothing was sent again. */
  sent: boolean;
}

/** The day a request counts for (UTC): a second ask on the same day sends nothing. */
export const askDay = (now: Date) => now.toISOString().slice(0, 10);

export async function askAdminsToUpgrade(
  db: Db,
  mail: Pick<Mail, 'queue' | 'notify' | 'appUrl'>,
  opts: {
    workspace: Pick<Workspace, 'id' | 'name'>;
    member: { id: string; name: string };
    feature: Feature;
    now?: Date;
  },
): Promise<AskAdminResult> {
  const { workspace, member, feature } = opts;
  const plan = lowestPlanWith(feature);
  const day = askDay(opts.now ?? new Date());
  const url = new URL(`/workspace/${workspace.id}/upgrade/`, mail.appUrl).toString();
  const result = await db.transaction(async (tx) => {
    const admins = await listAdmins(tx, workspace.id);
    let sent = false;
    for (const admin of admins) {
      const id = await mail.queue(tx, {
        kind: 'upgrade_request',
        to: admin.email,
        dedupeKey: `upgrade-ask:${workspace.id}:${member.id}:${feature}:${day}:${admin.userId}`,
        content: upgradeRequest({
          memberName: member.name,
          workspaceName: workspace.name,
          featureName: FEATURE_COPY[feature].name,
          planLabel: plan.label,
          url,
        }),
      });
      if (id) sent = true;
    }
    return { told: admins.map((a) => a.name), sent };
  });
  if (result.sent) mail.notify();
  return result;
}
