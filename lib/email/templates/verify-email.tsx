import { composeEmail } from "../message";
import { Action, EmailLayout, Paragraph } from "../layout";

/** Sent at sign-up and on "send the link again": proves the address belongs to the person who signed up. */
export function verifyEmailEmail(input: { to: string; url: string }) {
  return composeEmail(
    input.to,
    "Verify your email address for Tally",
    <EmailLayout preview="Confirm your email address to start a trial and manage billing." heading="Verify your email address">
      <Paragraph>Confirm that {input.to} is your address. Until you do, you can use Tally, but you cannot start a trial or change billing.</Paragraph>
      <Action href={input.url} label="Verify email address" />
      <Paragraph>The link works once, for 24 hours. If you did not create a Tally account, ignore this email.</Paragraph>
    </EmailLayout>,
  );
}
