import { webhooksJob } from "@/lib/cron/jobs";
import { withCron } from "@/lib/cron/with-cron";

export const dynamic = "force-dynamic";
export const maxDuration = 300;

export const GET = withCron("webhooks", webhooksJob);
