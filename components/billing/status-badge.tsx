import { AlertTriangle, CircleCheck, CircleSlash, Clock, Sparkles } from "lucide-react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { subscriptionStatusLabel } from "@/lib/format";

const tones: Record<string, [BadgeTone, typeof Clock]> = {
  free: ["neutral", Sparkles],
  trialing: ["brand", Clock],
  active: ["success", CircleCheck],
  past_due: ["warning", AlertTriangle],
  degraded: ["danger", AlertTriangle],
  unpaid: ["danger", AlertTriangle],
  canceled: ["neutral", CircleSlash],
};

/** The subscription status as a word; the colour and the icon only repeat it. */
export function StatusBadge({ status }: { status: string }) {
  const [tone, Icon] = tones[status] ?? tones.free!;
  return (
    <Badge data-testid="plan-status" tone={tone}>
      <Icon aria-hidden="true" />
      {subscriptionStatusLabel(status)}
    </Badge>
  );
}
