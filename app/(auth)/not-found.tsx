import { NotFoundState } from "@/components/ui/route-states";

export default function AuthNotFound() {
  return <NotFoundState home="/sign-in" homeLabel="Go to sign in" />;
}
