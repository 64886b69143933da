"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { LOCALE_COOKIE, LOCALE_NAMES, LOCALES, type Locale } from "@/lib/i18n/config";
import { callApi } from "./api-client";
import { useI18n } from "./i18n";
import { Alert, Button, Field, Input } from "./ui";
import { useErrorText } from "./use-error-text";

export function SignOutButton() {
  const { m } = useI18n();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="secondary"
      disabled={busy}
      onClick={async () => {
        setBusy(true);
        await callApi("/api/auth/logout", { method: "POST" });
        router.replace("/signin");
        router.refresh();
      }}
    >
      {m.nav.signOut}
    </Button>
  );
}

/**
 * The interface language: remembered by this browser (a cookie) and, when signed in, in the
 * profile, so it follows the user to another phone or computer.
 */
export function LanguageSwitcher({ signedIn }: { signedIn: boolean }) {
  const { m, locale } = useI18n();
  const router = useRouter();
  return (
    <label className="inline-flex items-center gap-2 text-sm">
      <span className="sr-only">{m.nav.language}</span>
      <select
        aria-label={m.nav.language}
        className="rounded-md border border-slate-300 bg-white px-2 py-1"
        value={locale}
        onChange={(e) => {
          const next = e.target.value as Locale;
          // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie, read by the server
          document.cookie = `${LOCALE_COOKIE}=${next}; Path=/; Max-Age=31536000; SameSite=Lax`;
          // The profile's choice wins on the server: save it before re-rendering.
          const saved = signedIn
            ? callApi("/api/me", { method: "PATCH", body: { preferred_language: next } })
            : Promise.resolve();
          void saved.then(() => router.refresh());
        }}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ProfileNameForm({ fullName }: { fullName: string }) {
  const { m } = useI18n();
  const router = useRouter();
  const errorText = useErrorText();
  const [status, setStatus] = useState<{ kind: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("full_name") ?? "");
    setBusy(true);
    const r = await callApi("/api/me", { method: "PATCH", body: { full_name: name } });
    setBusy(false);
    setStatus(r.ok ? { kind: "success", text: m.form.saved } : { kind: "error", text: errorText(r.error) });
    if (r.ok) router.refresh();
  }
  return (
    <form onSubmit={onSubmit} className="space-y-3">
      <Field label={m.profile.editName}>
        <Input name="full_name" defaultValue={fullName} autoComplete="name" required />
      </Field>
      {status ? <Alert kind={status.kind}>{status.text}</Alert> : null}
      <Button type="submit" disabled={busy}>
        {m.form.save}
      </Button>
    </form>
  );
}
