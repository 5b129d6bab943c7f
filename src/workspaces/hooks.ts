// Slots other domains fill to hear about membership changes (billing's seat count), so the
// workspaces services call them without importing those domains.
import type { Db } from '../db/client.js';

/**
 * Called inside the transaction that added or removed an accepted member, so whatever it
 * records (billing queues its seat sync) commits with the change, or not at all.
 */
export type MembersChanged = (tx: Db, workspaceId: string) => Promise<void>;
