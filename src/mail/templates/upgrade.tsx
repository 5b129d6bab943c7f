// Upgrade messages: a member asks the workspace's admins for a plan that unlocks a feature.
import { Button, FullLink, type MailContent } from './layout.js';

export function upgradeRequest(opts: {
  memberName: string;
  workspaceName: string;
  featureName: string;
  planLabel: string;
  /** The workspace's upgrade page: one click to the plans. */
  url: string;
}): MailContent {
  const asks = `${opts.memberName} would like to use ${opts.featureName} in ${opts.workspaceName}. It comes with the ${opts.planLabel} plan.`;
  return {
    subject: `${opts.memberName} asks for ${opts.planLabel} in ${opts.workspaceName}`,
    body: (
      <div>
        <p>
          {opts.memberName} would like to use <strong>{opts.featureName}</strong> in{' '}
          <strong>{opts.workspaceName}</strong>. It comes with the {opts.planLabel} plan.
        </p>
        <Button href={opts.url} label={`See the ${opts.planLabel} plan`} />
        <FullLink href={opts.url} />
      </div>
    ),
    text: `${asks}

See the ${opts.planLabel} plan:

${opts.url}`,
    reason: `You got this email because you are an admin of ${opts.workspaceName} and ${opts.memberName}, a member, asked. A member asks at most once a day per feature.`,
  };
}
