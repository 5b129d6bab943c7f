// Reading a workspace's billing history (the sync and linking write it).
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { billingHistory } from './schema.js';

export async function listBillingHistory(db: Db, workspaceId: string, limit = 20) {
  return db
    .select()
    .from(billingHistory)
    .where(eq(billingHistory.workspaceId, workspaceId))
    .orderBy(desc(billingHistory.createdAt), desc(billingHistory.id))
    .limit(limit);
}
