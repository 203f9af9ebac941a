import { BrandLink } from "@/components/ui/brand";
import { NotFoundState } from "@/components/ui/route-states";

export const metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <div className="min-h-screen">
      <header className="mx-auto flex max-w-6xl items-center px-4 py-4"><BrandLink /></header>
      <main id="main"><NotFoundState home="/" homeLabel="Go to the home page" /></main>
    </div>
  );
}
