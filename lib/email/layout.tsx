import type { ReactNode } from "react";
import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";

// The frame every Tally email shares. Inline styles only: mail clients drop <style> and classes.
const colors = { brand: "#2459d6", text: "#0f172a", muted: "#475569", border: "#e2e8f0", page: "#f8fafc" };

export function EmailLayout({ preview, heading, children }: { preview: string; heading: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: colors.page, color: colors.text, fontFamily: "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif", margin: 0, padding: "24px 0" }}>
        <Container style={{ backgroundColor: "#ffffff", border: `1px solid ${colors.border}`, borderRadius: 8, maxWidth: 560, padding: "24px 28px" }}>
          <Text style={{ color: colors.brand, fontSize: 20, fontWeight: 700, margin: "0 0 16px" }}>Tally</Text>
          <Heading as="h1" style={{ fontSize: 20, fontWeight: 600, margin: "0 0 12px" }}>{heading}</Heading>
          {children}
          <Hr style={{ borderColor: colors.border, margin: "24px 0 12px" }} />
          <Text style={{ color: colors.muted, fontSize: 12, margin: 0 }}>Sent by Tally. You receive this email because of your account or a workspace you belong to.</Text>
        </Container>
      </Body>
    </Html>
  );
}

export function Paragraph({ children }: { children: ReactNode }) {
  return <Text style={{ fontSize: 15, lineHeight: "22px", margin: "0 0 12px" }}>{children}</Text>;
}

/** The message's one action, as a button with the address written out below it (some clients hide buttons). */
export function Action({ href, label }: { href: string; label: string }) {
  return (
    <Section style={{ margin: "8px 0 16px" }}>
      <Button href={href} style={{ backgroundColor: colors.brand, borderRadius: 6, color: "#ffffff", fontSize: 15, fontWeight: 600, padding: "10px 18px" }}>{label}</Button>
      <Text style={{ color: colors.muted, fontSize: 12, margin: "12px 0 0", wordBreak: "break-all" }}>
        Or open this address: <Link href={href} style={{ color: colors.brand }}>{href}</Link>
      </Text>
    </Section>
  );
}
