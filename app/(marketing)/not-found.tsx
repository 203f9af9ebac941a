import { NotFoundState } from "@/components/ui/route-states";

export default function MarketingNotFound() {
  return <NotFoundState home="/" homeLabel="Go to the home page" />;
}
