import { TabNav } from "@/components/ui/tab-nav";

const tabs = [
  ["billing", "Billing"],
  ["plans", "Plans"],
  ["extras", "Extras"],
  ["ledger", "Ledger"],
  ["usage", "Usage"],
  ["invoices", "Invoices"],
  ["api-keys", "API keys"],
  ["members", "Members"],
] as const;

export function WorkspaceNav({ slug }: { slug: string }) {
  return <TabNav label="Workspace" tabs={tabs.map(([segment, label]) => ({ href: `/w/${slug}/${segment}`, label }))} />;
}
