import { CircleAlert, CircleCheck } from "lucide-react";
import type { FormState } from "@/lib/server/action";

export function FormMessage({ state }: { state: FormState }) {
  if (!state?.message) return null;
  const Icon = state.ok ? CircleCheck : CircleAlert;
  return (
    <p role={state.ok ? "status" : "alert"} className={`flex items-start gap-2 rounded-md px-3 py-2 text-sm ${state.ok ? "bg-green-50 text-green-800" : "bg-red-50 text-red-800"}`}>
      <Icon aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
      <span>{state.message}</span>
    </p>
  );
}
