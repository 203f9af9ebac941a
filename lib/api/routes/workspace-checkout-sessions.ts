import { db } from "@/lib/db";
import { startPlanCheckout } from "@/lib/payments";
import { checkoutSessionSchema } from "../platform-schemas";
import { checkoutSessionEndpoint } from "./checkout-session";

// A subscription checkout for the workspace, returning to the integrator's own pages.
export default checkoutSessionEndpoint(checkoutSessionSchema, (body, at) => startPlanCheckout(db(), { ...at, planKey: body.plan, interval: body.interval }));
