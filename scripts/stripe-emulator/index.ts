export { startStripeEmulator, type StripeEmulatorHandle, type StripeEmulatorOptions } from "./server";
export { signPayload } from "./webhooks";
