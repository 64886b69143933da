"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { type ApiResult, callApi } from "./api-client";
import { useI18n } from "./i18n";
import { Alert, Button, Field, Input } from "./ui";
import { useErrorText } from "./use-error-text";

/** Busy/error/done state of a form whose submit calls the API once. */
function useSubmit() {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  /** Runs the call; on failure shows the localized error and returns null. */
  async function run<T>(call: Promise<ApiResult<T>>): Promise<T | null> {
    setBusy(true);
    setError(null);
    const r = await call;
    setBusy(false);
    if (r.ok) return r.data;
    setError(errorText(r.error));
    return null;
  }
  return { busy, error, done, setDone, run };
}

function formValues(e: FormEvent<HTMLFormElement>): Record<string, string> {
  e.preventDefault();
  return Object.fromEntries([...new FormData(e.currentTarget)].map(([k, v]) => [k, String(v)]));
}

export function SignInForm({ next }: { next: string }) {
  const { m } = useI18n();
  const router = useRouter();
  const s = useSubmit();
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    const v = formValues(e);
    if (!(await s.run(callApi("/api/auth/signin", { body: { email: v.email, password: v.password } }))))
      return;
    router.replace(next);
    router.refresh();
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={m.form.email}>
        <Input name="email" type="email" autoComplete="email" required inputMode="email" dir="ltr" />
      </Field>
      <Field label={m.form.password}>
        <Input name="password" type="password" autoComplete="current-password" required dir="ltr" />
      </Field>
      {s.error ? <Alert kind="error">{s.error}</Alert> : null}
      <Button type="submit" disabled={s.busy} className="w-full">
        {s.busy ? m.form.working : m.signIn.submit}
      </Button>
      <div className="flex flex-wrap justify-between gap-2 text-sm">
        <Link className="text-brand-800 underline" href="/forgot-password">
          {m.signIn.forgot}
        </Link>
        <Link className="text-brand-800 underline" href="/signup">
          {m.signIn.noAccount} {m.nav.signUp}
        </Link>
      </div>
    </form>
  );
}

export function SignUpForm() {
  const { m } = useI18n();
  const router = useRouter();
  const s = useSubmit();
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    const v = formValues(e);
    const created = await s.run(
      callApi("/api/auth/signup", { body: { email: v.email, password: v.password, full_name: v.full_name } }),
    );
    if (!created) return;
    s.setDone(m.signUp.done);
    const signin = await callApi("/api/auth/signin", { body: { email: v.email, password: v.password } });
    if (signin.ok) {
      router.replace("/profile");
      router.refresh();
    } else {
      router.replace("/signin");
    }
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={m.form.fullName}>
        <Input name="full_name" autoComplete="name" required />
      </Field>
      <Field label={m.form.email}>
        <Input name="email" type="email" autoComplete="email" required inputMode="email" dir="ltr" />
      </Field>
      <Field label={m.form.password} hint={m.form.passwordHint}>
        <Input name="password" type="password" autoComplete="new-password" required minLength={8} dir="ltr" />
      </Field>
      {s.error ? <Alert kind="error">{s.error}</Alert> : null}
      {s.done ? <Alert kind="success">{s.done}</Alert> : null}
      <Button type="submit" disabled={s.busy} className="w-full">
        {s.busy ? m.form.working : m.signUp.submit}
      </Button>
      <p className="text-sm">
        {m.signUp.haveAccount}{" "}
        <Link className="text-brand-800 underline" href="/signin">
          {m.nav.signIn}
        </Link>
      </p>
    </form>
  );
}

export function ForgotPasswordForm() {
  const { m } = useI18n();
  const s = useSubmit();
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    const v = formValues(e);
    if (await s.run(callApi("/api/auth/reset-password", { body: { email: v.email } })))
      s.setDone(m.forgot.sent);
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <p className="text-sm text-slate-600">{m.forgot.body}</p>
      <Field label={m.form.email}>
        <Input name="email" type="email" autoComplete="email" required inputMode="email" dir="ltr" />
      </Field>
      {s.error ? <Alert kind="error">{s.error}</Alert> : null}
      {s.done ? <Alert kind="success">{s.done}</Alert> : null}
      <Button type="submit" disabled={s.busy} className="w-full">
        {s.busy ? m.form.working : m.forgot.submit}
      </Button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string | null }) {
  const { m } = useI18n();
  const s = useSubmit();
  if (!token) return <Alert kind="error">{m.reset.missingToken}</Alert>;
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    const v = formValues(e);
    const body = { token, new_password: v.new_password };
    if (await s.run(callApi("/api/auth/reset-password/confirm", { body }))) s.setDone(m.reset.done);
  }
  if (s.done) {
    return (
      <div className="space-y-4">
        <Alert kind="success">{s.done}</Alert>
        <Link className="text-brand-800 underline" href="/signin">
          {m.nav.signIn}
        </Link>
      </div>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <Field label={m.form.newPassword} hint={m.form.passwordHint}>
        <Input
          name="new_password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          dir="ltr"
        />
      </Field>
      {s.error ? <Alert kind="error">{s.error}</Alert> : null}
      <Button type="submit" disabled={s.busy} className="w-full">
        {s.busy ? m.form.working : m.reset.submit}
      </Button>
    </form>
  );
}
