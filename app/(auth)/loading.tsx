import { LoadingState } from "@/components/ui/route-states";

export default function Loading() {
  return <div className="mx-auto w-full max-w-md py-6"><LoadingState label="Loading…" /></div>;
}
