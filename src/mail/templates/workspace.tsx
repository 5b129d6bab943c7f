// Workspace messages: an invitation to join. The subject is fixed text: the workspace's and
// the inviter's names are the inviter's own words, so they appear only in the body, escaped
// (JSX), with anything a mail client would make a link removed.
import { Button, FullLink, type MailContent } from './layout.js';

export const INVITATION_SUBJECT = 'You are invited to a workspace';

const LINKISH = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.|mailto:)\S*|\S+@\S+|\S*[\w-]\.[a-z]{2,}\b\S*/gi;

/** A name as the recipient may read it: no URL, address or domain a client would link. */
export function withoutLinks(name: string): string {
  return name.replace(LINKISH, '[link removed]');
}

export function invitation(opts: {
  inviterName: string;
  workspaceName: string;
  role: string;
  url: string;
}): MailContent {
  const inviter = withoutLinks(opts.inviterName);
  const workspace = withoutLinks(opts.workspaceName);
  return {
    subject: INVITATION_SUBJECT,
    body: (
      <div>
        <p>
          {inviter} invited you to join <strong>{workspace}</strong> as{' '}
          {opts.role === 'admin' ? 'an admin' : 'a member'}.
        </p>
        <Button href={opts.url} label="Accept the invitation" />
        <FullLink href={opts.url} />
        <p>The invitation expires in 7 days. Sign in or sign up with this address to accept it.</p>
      </div>
    ),
    text: `${inviter} invited you to join ${workspace} as ${opts.role === 'admin' ? 'an admin' : 'a member'}.

Accept the invitation:

${opts.url}

The invitation expires in 7 days. Sign in or sign up with this address to accept it.`,
    reason: `You got this email because ${inviter} invited this address to a workspace.`,
  };
}
