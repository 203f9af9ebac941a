import { composeEmail } from "../message";
import { Action, EmailLayout, Paragraph } from "../layout";

/**
 * Sent instead of a verification link when someone signs up with an address that already has an account:
 * the form answers the same either way, so the owner of the address learns it here, and nobody else does.
 */
export function signUpAttemptEmail(input: { to: string; signInUrl: string; resetUrl: string }) {
  return composeEmail(
    input.to,
    "Someone tried to create a Tally account with your email",
    <EmailLayout preview="You already have a Tally account with this address." heading="You already have a Tally account">
      <Paragraph>Someone, maybe you, tried to create a new Tally account with {input.to}. That address already has an account, so no new one was made and nothing changed.</Paragraph>
      <Paragraph>If it was you, sign in instead:</Paragraph>
      <Action href={input.signInUrl} label="Sign in" />
      <Paragraph>Forgot your password? Choose a new one here:</Paragraph>
      <Action href={input.resetUrl} label="Reset your password" />
      <Paragraph>If it was not you, you can ignore this email.</Paragraph>
    </EmailLayout>,
  );
}
