// Email: templates written with React Email, each rendered to HTML and plain text, and one way to send.
//
//   await sendEmail(await noticeEmail({ to, subject, body, action }))   never throws; logs a failed send
//   await deliverEmail(message)                                        throws, for callers that retry
//
// A new kind of email is a function in templates/ that returns composeEmail(to, subject, <EmailLayout ...>).
export { composeEmail, type EmailMessage } from "./message";
export { deliverEmail, sendEmail, setMailTransport } from "./send";
export { EmailLayout, Paragraph, Action } from "./layout";
export { noticeEmail } from "./templates/notice";
export { verifyEmailEmail } from "./templates/verify-email";
export { signUpAttemptEmail } from "./templates/sign-up-attempt";
export { passwordResetEmail, passwordChangedEmail } from "./templates/password-reset";
