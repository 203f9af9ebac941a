import next from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTs,
  // pages/ holds only the metering API's routes: a link to one (the OpenAPI document) opens a document,
  // never a page for client-side navigation, which is all this rule is about.
  { rules: { "@next/next/no-html-link-for-pages": "off" } },
  { ignores: [".next/**", ".next-*/**", "lib/generated/**", ".data/**", "test-results/**", "playwright-report/**", "e2e/artifacts/**", "next-env.d.ts"] },
];

export default config;
