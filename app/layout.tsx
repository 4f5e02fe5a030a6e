import type { Metadata } from "next";
import { SiteHeader } from "@/components/site-header";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Tributary", template: "%s · Tributary" },
  description: "Self-service marketplace for governed real-time data streams",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col">
        <SiteHeader />
        {/* The skip link's target; pages render their own <main> landmark inside. */}
        <div id="main-content" tabIndex={-1} className="flex flex-1 flex-col focus:outline-none">
          {children}
        </div>
      </body>
    </html>
  );
}
