import { TabNav } from "@/components/ui/tab-nav";

const tabs = [
  { href: "/admin", label: "Overview", exact: true },
  { href: "/admin/workspaces", label: "Workspaces" },
  { href: "/admin/plans", label: "Plans" },
  { href: "/admin/model-prices", label: "Model prices" },
  { href: "/admin/stripe-events", label: "Stripe events" },
  { href: "/admin/webhooks", label: "Webhooks" },
  { href: "/admin/invariants", label: "Books" },
  { href: "/admin/platform-keys", label: "Platform keys" },
  { href: "/admin/audit", label: "Audit log" },
  { href: "/admin/emails", label: "Emails" },
];

export function AdminNav() {
  return <TabNav label="Console" tabs={tabs} />;
}
