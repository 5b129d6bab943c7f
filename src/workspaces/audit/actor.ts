// Who an audit entry names: the signed-in user's id, or `api-key:<id>` for a key.
import type { Principal } from '../../auth/principal.js';

export function actorOf(principal: Principal | null | undefined): string | null {
  if (!principal) return null;
  return principal.kind === 'user' ? principal.user.id : `api-key:${principal.apiKey.keyId}`;
}
