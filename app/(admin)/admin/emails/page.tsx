import { Card } from "@/components/ui/card";
import { emailPreviews } from "@/lib/email/previews";
import { env } from "@/lib/env";
import { requireOperatorPage } from "@/lib/server/operator";

export const dynamic = "force-dynamic";
export const metadata = { title: "Emails · Console · Tally" };

/** Every email the app sends, rendered with sample data: the HTML as a mail client shows it, and the text part. */
export default async function EmailsPage() {
  await requireOperatorPage();
  const previews = await emailPreviews(env().APP_URL);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold text-slate-900">Emails</h1>
      <p className="text-sm text-slate-600">
        {previews.length} templates, shown with sample data. Lifecycle emails go to a workspace&apos;s owners and admins with a verified
        address, once per cause; a failed send is retried by the cron and never holds up billing.
      </p>
      <nav aria-label="Templates" className="flex flex-wrap gap-2 text-sm">
        {previews.map((p) => (
          <a key={p.key} href={`#${p.key}`} className="rounded-md border border-slate-200 bg-white px-2 py-1 text-brand-700 hover:bg-slate-50">{p.title}</a>
        ))}
      </nav>
      {previews.map((p) => (
        <section key={p.key} id={p.key} aria-labelledby={`${p.key}-title`} data-testid="email-preview" className="scroll-mt-4">
          <Card>
            <h2 id={`${p.key}-title`} className="text-base font-semibold text-slate-900">{p.title}</h2>
            <p className="mt-1 text-sm text-slate-600">Sent when {p.when}.</p>
            <p className="mt-2 break-words text-sm"><span className="text-slate-600">Subject:</span> <span data-testid="email-subject">{p.message.subject}</span></p>
            <div className="mt-3 grid gap-4 lg:grid-cols-2">
              <div className="min-w-0">
                <h3 className="mb-1 text-sm font-medium text-slate-700">HTML</h3>
                {/* Sandboxed: the email's own markup, without scripts or access to the console. */}
                <iframe title={`${p.title}: HTML preview`} srcDoc={p.message.html} sandbox="" className="h-[28rem] w-full rounded-md border border-slate-200 bg-slate-50" />
              </div>
              <div className="min-w-0">
                <h3 className="mb-1 text-sm font-medium text-slate-700">Text</h3>
                <pre className="h-[28rem] overflow-auto whitespace-pre-wrap break-words rounded-md border border-slate-200 bg-slate-50 p-3 text-xs text-slate-800" data-testid="email-text">{p.message.text}</pre>
              </div>
            </div>
          </Card>
        </section>
      ))}
    </div>
  );
}
