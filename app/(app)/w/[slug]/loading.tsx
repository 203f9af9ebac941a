import { LoadingState } from "@/components/ui/route-states";

export default function Loading() {
  return <><LoadingState label="Loading the workspace…" /></>;
}
