export { startStripeEmulator, type StripeEmulatorHandle, type StripeEmulatorOptions } from "./server";
export { signPayload } from "./webhooks";
export { CONFIGURED_ACCOUNT, FRESH_ACCOUNT, type AccountSetup } from "./account";
export { addInterval } from "./clock";
