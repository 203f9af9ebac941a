import type { Role } from "@/lib/generated/prisma/client";
import { composeEmail } from "../message";
import { Action, EmailLayout, Paragraph } from "../layout";

const roleWords: Record<Role, string> = { OWNER: "an owner", ADMIN: "an admin", MEMBER: "a member" };
const dateFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });

/**
 * An invitation to join a workspace. One email whether or not the address has an account: the page behind
 * the link offers to sign in or to create the account.
 */
export function invitationEmail(input: { to: string; workspaceName: string; inviter: string; role: Role; url: string; expiresAt: Date }) {
  const subject = `${input.inviter} invited you to ${input.workspaceName} on Tally`;
  return composeEmail(
    input.to,
    subject,
    <EmailLayout preview={`Join ${input.workspaceName} as ${roleWords[input.role]}.`} heading={`Join ${input.workspaceName} on Tally`}>
      <Paragraph>
        {input.inviter} invited {input.to} to join the workspace {input.workspaceName} as {roleWords[input.role]}.
      </Paragraph>
      <Action href={input.url} label="Accept the invitation" />
      <Paragraph>
        You join only when you accept, signed in with this address (or creating your account with it). The link works once, until{" "}
        {dateFormat.format(input.expiresAt)}. If you did not expect this invitation, ignore this email.
      </Paragraph>
    </EmailLayout>,
  );
}
