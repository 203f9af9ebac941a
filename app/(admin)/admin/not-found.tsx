import { NotFoundState } from "@/components/ui/route-states";

export default function ConsoleNotFound() {
  return <NotFoundState home="/admin" homeLabel="Back to the console" />;
}
