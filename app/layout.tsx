import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { I18nProvider } from "@/components/i18n";
import { NavLinks } from "@/components/nav-links";
import { LanguageSwitcher, SignOutButton } from "@/components/session-controls";
import { ToastProvider } from "@/components/toast";
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
  return (
    <html lang={locale} dir={dir}>
      <body className="min-h-dvh">
        <I18nProvider locale={locale} messages={m}>
          <header className="border-b border-slate-200 bg-white">
            <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-2 px-4 py-3">
              <Link href="/" className="me-auto text-lg font-bold text-brand-800">
                {m.brand}
              </Link>
              <nav aria-label="main" className="flex flex-wrap items-center gap-1 text-sm">
                <NavLinks
                  links={
                    user
                      ? [
                          ["/chat", m.nav.tutor],
                          ["/courses", m.nav.courses],
                          ["/library", m.nav.library],
                          ["/wallet", m.nav.wallet],
                          ["/profile", m.nav.profile],
                        ]
                      : [
                          ["/signin", m.nav.signIn],
                          ["/signup", m.nav.signUp],
                        ]
                  }
                />
                <NavLinks links={[["/docs", m.nav.docs]]} />
                <LanguageSwitcher signedIn={user !== null} />
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
                    <NavLinks
                      links={[
                        ["/admin", m.nav.adminDashboard],
                        ["/admin/library", m.nav.adminLibrary],
                        ["/admin/jobs", m.nav.adminJobs],
                        ["/admin/users", m.nav.adminUsers],
                        ["/admin/wallet", m.nav.adminWallet],
                        ["/admin/feedback", m.nav.adminFeedback],
                      ]}
                    />
                  </nav>
                ) : null}
              </nav>
            </div>
          </header>
          <main className="mx-auto max-w-6xl px-4 py-6 sm:py-10">
            <ToastProvider>{children}</ToastProvider>
          </main>
        </I18nProvider>
      </body>
    </html>
  );
}
