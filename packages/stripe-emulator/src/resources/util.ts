import { notFound } from "../errors";

export function mustGet<T>(map: Map<string, T>, id: string, param = "id"): T {
  const found = map.get(id);
  if (!found) throw notFound(id, param);
  return found;
}
