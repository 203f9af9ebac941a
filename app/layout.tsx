import type { Metadata, Viewport } from "next";
import localFont from "next/font/local";
import { Toaster } from "@/components/ui/toaster";
import "./globals.css";

// Inter, served from this app (no font CDN): the Latin subset of the variable font, every weight in one file.
const inter = localFont({ src: "./fonts/inter-latin-wght.woff2", variable: "--font-inter", weight: "100 900", display: "swap" });

export const metadata: Metadata = {
  title: { default: "Tally", template: "%s · Tally" },
  description: "Usage-based billing: plans, metering, quotas and credit packs.",
};

export const viewport: Viewport = { themeColor: "#2459d6" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        {children}
        <Toaster />
      </body>
    </html>
  );
}
