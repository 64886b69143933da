import { Card } from "@/components/ui";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { getI18n } from "@/lib/i18n/server";

type Json = Record<string, unknown>;

const METHOD_COLORS: Record<string, string> = {
  get: "bg-sky-100 text-sky-900",
  post: "bg-brand-100 text-brand-900",
  patch: "bg-amber-100 text-amber-900",
  put: "bg-amber-100 text-amber-900",
  delete: "bg-red-100 text-red-900",
};

function schemaOf(content: unknown): unknown {
  const c = content as Record<string, { schema?: unknown }> | undefined;
  if (!c) return undefined;
  return Object.values(c)[0]?.schema;
}

export default async function DocsPage() {
  const { m } = await getI18n();
  const doc = buildOpenApiDocument();
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const ops = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const tags = [...new Set(ops.map((o) => (o.op.tags as string[])[0] ?? "Other"))];
  return (
    <div className="space-y-6 [overflow-wrap:anywhere]" dir="ltr" lang="en">
      <Card>
        <h1 className="text-xl font-bold">{m.docs.title}</h1>
        <p className="mt-2 text-sm text-slate-600">{m.docs.intro}</p>
        <p className="mt-2 text-sm">{String((doc.info as Json).description)}</p>
        <a className="mt-2 inline-block text-sm text-brand-800 underline" href="/api/openapi.json">
          {m.docs.download}
        </a>
      </Card>
      {tags.map((tag) => (
        <section key={tag} className="space-y-3">
          <h2 className="text-lg font-semibold">{tag}</h2>
          {ops
            .filter((o) => ((o.op.tags as string[])[0] ?? "Other") === tag)
            .map(({ path, method, op }) => {
              const params = (op.parameters as Json[]) ?? [];
              const body = schemaOf((op.requestBody as Json | undefined)?.content);
              const responses = op.responses as Record<string, Json>;
              return (
                <details
                  key={`${method} ${path}`}
                  className="rounded-xl border border-slate-200 bg-white"
                  data-testid="endpoint"
                >
                  <summary className="flex cursor-pointer flex-wrap items-center gap-3 px-4 py-3">
                    <span
                      className={`rounded px-2 py-0.5 font-mono text-xs font-bold uppercase ${METHOD_COLORS[method] ?? ""}`}
                    >
                      {method}
                    </span>
                    <code className="font-mono text-sm">{path}</code>
                    <span className="text-sm text-slate-600">{String(op.summary)}</span>
                  </summary>
                  <div className="space-y-3 border-t border-slate-100 px-4 py-3 text-sm">
                    {op.description ? <p>{String(op.description)}</p> : null}
                    <p>
                      <strong>{m.docs.auth}:</strong>{" "}
                      {op.security
                        ? (op.security as Json[]).map((s) => Object.keys(s)[0] ?? "none").join(" | ")
                        : "none"}
                    </p>
                    {params.length ? (
                      <div>
                        <strong>{m.docs.params}</strong>
                        <ul className="list-disc ps-5">
                          {params.map((p) => (
                            <li key={`${p.in}-${p.name}`}>
                              <code>{String(p.name)}</code> ({String(p.in)}
                              {p.required ? ", required" : ""}){" "}
                              <code className="text-slate-500">{JSON.stringify(p.schema)}</code>
                            </li>
                          ))}
                        </ul>
                      </div>
                    ) : null}
                    {body ? (
                      <div>
                        <strong>{m.docs.body}</strong>
                        <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-xs">
                          {JSON.stringify(body, null, 2)}
                        </pre>
                      </div>
                    ) : null}
                    <div>
                      <strong>{m.docs.responses}</strong>
                      <ul className="list-disc ps-5">
                        {Object.entries(responses).map(([code, r]) => (
                          <li key={code}>
                            <code>{code}</code> {String(r.description)}
                          </li>
                        ))}
                      </ul>
                    </div>
                  </div>
                </details>
              );
            })}
        </section>
      ))}
    </div>
  );
}
