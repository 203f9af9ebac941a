// One trial per email address, and an address has spellings that reach the same inbox: case, a "+tag"
// after the local part, and (at Gmail) dots. The claim is keyed on the address with those taken out.

const GMAIL = new Set(["gmail.com", "googlemail.com"]);

export function trialEmailKey(email: string): string {
  const at = email.trim().toLowerCase().lastIndexOf("@");
  const address = email.trim().toLowerCase();
  if (at < 1) return address;
  let local = address.slice(0, at).split("+")[0]!;
  let domain = address.slice(at + 1);
  if (GMAIL.has(domain)) {
    local = local.replaceAll(".", "");
    domain = "gmail.com";
  }
  return `${local || address.slice(0, at)}@${domain}`;
}
