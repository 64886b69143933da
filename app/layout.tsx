import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { I18nProvider } from "@/components/i18n";
import { LanguageSwitcher, SignOutButton } from "@/components/session-controls";
import { getCurrentUser } from "@/lib/http/page-auth";
import { getI18n } from "@/lib/i18n/server";
import "./globals.css";

export const metadata: Metadata = {
  title: "BacMR",
  description: "Ton professeur IA pour le bac mauritanien",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [{ locale, dir, m }, user] = await Promise.all([getI18n(), getCurrentUser()]);
  const link = "rounded-md px-2 py-1 hover:bg-slate-100";
  return (
    <html lang={locale} dir={dir}>
      <body className="min-h-dvh">
        <I18nProvider locale={locale} messages={m}>
          <header className="border-b border-slate-200 bg-white">
            <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-2 px-4 py-3">
              <Link href="/" className="me-auto text-lg font-bold text-emerald-800">
                {m.brand}
              </Link>
              <nav aria-label="main" className="flex flex-wrap items-center gap-1 text-sm">
                {user ? (
                  <>
                    <Link className={link} href="/chat">
                      {m.nav.tutor}
                    </Link>
                    <Link className={link} href="/courses">
                      {m.nav.courses}
                    </Link>
                    <Link className={link} href="/library">
                      {m.nav.library}
                    </Link>
                    <Link className={link} href="/profile">
                      {m.nav.profile}
                    </Link>
                  </>
                ) : (
                  <>
                    <Link className={link} href="/signin">
                      {m.nav.signIn}
                    </Link>
                    <Link className={link} href="/signup">
                      {m.nav.signUp}
                    </Link>
                  </>
                )}
                <Link className={link} href="/docs">
                  {m.nav.docs}
                </Link>
                <LanguageSwitcher />
                {user ? <SignOutButton /> : null}
                {user?.role === "admin" ? (
                  // A line of its own under the main links, still inside the main navigation.
                  <nav
                    aria-label={m.nav.admin}
                    className="flex basis-full flex-wrap items-center gap-1 border-t border-slate-100 pt-1"
                  >
                    <span aria-hidden className="px-2 text-xs font-semibold text-slate-500">
                      {m.nav.admin}
                    </span>
                    <Link className={link} href="/admin">
                      {m.nav.adminDashboard}
                    </Link>
                    <Link className={link} href="/admin/library">
                      {m.nav.adminLibrary}
                    </Link>
                    <Link className={link} href="/admin/jobs">
                      {m.nav.adminJobs}
                    </Link>
                    <Link className={link} href="/admin/users">
                      {m.nav.adminUsers}
                    </Link>
                    <Link className={link} href="/admin/wallet">
                      {m.nav.adminWallet}
                    </Link>
                  </nav>
                ) : null}
              </nav>
            </div>
          </header>
          <main className="mx-auto max-w-6xl px-4 py-6 sm:py-10">{children}</main>
        </I18nProvider>
      </body>
    </html>
  );
}
