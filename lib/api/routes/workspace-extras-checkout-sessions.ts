import { db } from "@/lib/db";
import { startPackCheckout } from "@/lib/payments";
import { extrasCheckoutSessionSchema } from "../platform-schemas";
import { checkoutSessionEndpoint } from "./checkout-session";

// A checkout for an extras pack, returning to the integrator's own pages.
export default checkoutSessionEndpoint(extrasCheckoutSessionSchema, (body, at) => startPackCheckout(db(), { ...at, pack: body.pack }));
