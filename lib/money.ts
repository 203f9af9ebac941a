// Prices are formatted by the app's one formatter (lib/format.ts); kept as an import path for existing callers.
export { formatMoney } from "@/lib/format";
