// Workspace messages: an invitation to join.
import { Button, FullLink, type MailContent } from './layout.js';

export function invitation(opts: {
  inviterName: string;
  workspaceName: string;
  role: string;
  url: string;
}): MailContent {
  return {
    subject: `${opts.inviterName} invited you to ${opts.workspaceName}`,
    body: (
      <div>
        <p>
          {opts.inviterName} invited you to join <strong>{opts.workspaceName}</strong> as{' '}
          {opts.role === 'admin' ? 'an admin' : 'a member'}.
        </p>
        <Button href={opts.url} label="Accept the invitation" />
        <FullLink href={opts.url} />
        <p>The invitation expires in 7 days. Sign in or sign up with this address to accept it.</p>
      </div>
    ),
    text: `${opts.inviterName} invited you to join ${opts.workspaceName} as ${opts.role === 'admin' ? 'an admin' : 'a member'}.

Accept the invitation:

${opts.url}

The invitation expires in 7 days. Sign in or sign up with this address to accept it.`,
    reason: `You got this email because ${opts.inviterName} invited this address to a workspace.`,
  };
}
