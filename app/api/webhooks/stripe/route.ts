import { handleStripeWebhook } from "@/lib/payments/webhook-handler";

export const dynamic = "force-dynamic";

export const POST = (req: Request) => handleStripeWebhook(req);
