import { composeEmail } from "../message";
import { Action, EmailLayout, Paragraph } from "../layout";

/** The link to choose a new password, sent on request from the "forgot password" form. */
export function passwordResetEmail(input: { to: string; url: string }) {
  return composeEmail(
    input.to,
    "Reset your Tally password",
    <EmailLayout preview="Choose a new password for your Tally account." heading="Reset your password">
      <Paragraph>Someone, hopefully you, asked to reset the password of the Tally account for {input.to}. Choose a new one here:</Paragraph>
      <Action href={input.url} label="Choose a new password" />
      <Paragraph>The link works once, for one hour. Setting a new password signs the account out everywhere. If you did not ask for this, ignore this email: your password stays as it is.</Paragraph>
    </EmailLayout>,
  );
}

/** Told after the password changed (by reset or in account settings), so a change nobody asked for is noticed. */
export function passwordChangedEmail(input: { to: string; resetUrl: string }) {
  return composeEmail(
    input.to,
    "Your Tally password was changed",
    <EmailLayout preview="The password of your Tally account was just changed." heading="Your password was changed">
      <Paragraph>The password of the Tally account for {input.to} was just changed, and every other session of the account was signed out.</Paragraph>
      <Paragraph>If you did not do this, reset your password now:</Paragraph>
      <Action href={input.resetUrl} label="Reset your password" />
    </EmailLayout>,
  );
}
