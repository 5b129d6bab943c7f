// Puts a workspace on a plan directly in the database, for tests about something other than
// billing that need more room than the Free plan's limits (the app only lets the sync do this).
import { eq } from 'drizzle-orm';
import type { PlanId } from '../../src/plans/catalog.js';
import { workspaces } from '../../src/workspaces/schema.js';
import type { TestApp } from './app.js';

export async function setPlanForTest(t: TestApp, workspaceId: string, plan: PlanId) {
  await t.database.db.update(workspaces).set({ plan }).where(eq(workspaces.id, workspaceId));
}
