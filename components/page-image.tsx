"use client";

import { useEffect, useRef, useState } from "react";
import { useI18n } from "./i18n";
import { Button, ErrorState } from "./ui";

export interface HighlightBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * A textbook page as the server renders it, the cited passage boxed in yellow over it. The boxes are
 * fractions of the page, so they follow the picture at any width; a picture has no reading
 * direction, so they are placed from its physical left whatever the page's language.
 */
export function PageImage({
  src,
  srcSet,
  sizes,
  width,
  height,
  alt,
  highlights,
  pdfHref,
}: {
  src: string;
  srcSet: string;
  sizes: string;
  width: number;
  height: number;
  alt: string;
  highlights: HighlightBox[];
  pdfHref: string;
}) {
  const { m } = useI18n();
  const [failed, setFailed] = useState(false);
  // Changing the key mounts a new <img>: the browser asks again.
  const [attempt, setAttempt] = useState(0);
  const img = useRef<HTMLImageElement>(null);
  // An error before hydration fires no React event: a finished image with no pixels failed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: checked again for each new attempt
  useEffect(() => {
    const el = img.current;
    if (el?.complete && el.naturalWidth === 0) setFailed(true);
  }, [attempt]);

  if (failed) {
    return (
      <ErrorState
        title={m.viewer.errorTitle}
        action={
          <div className="flex flex-wrap items-center gap-3">
            <Button
              type="button"
              onClick={() => {
                setFailed(false);
                setAttempt((n) => n + 1);
              }}
            >
              {m.viewer.retry}
            </Button>
            <a href={pdfHref} target="_blank" rel="noopener" className="text-sm font-semibold underline">
              {m.viewer.openPdf}
            </a>
          </div>
        }
      >
        {m.viewer.errorBody}
      </ErrorState>
    );
  }

  return (
    <div dir="ltr" className="relative overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
      {/* biome-ignore lint/performance/noImgElement: a server-rendered PNG with its own caching and srcset */}
      <img
        key={attempt}
        ref={img}
        src={attempt ? `${src}&retry=${attempt}` : src}
        srcSet={attempt ? undefined : srcSet}
        sizes={sizes}
        width={width}
        height={height}
        alt={alt}
        loading="lazy"
        decoding="async"
        onError={() => setFailed(true)}
        data-testid="page-image"
        className="block h-auto w-full"
      />
      {highlights.map((b) => (
        <span
          key={`${b.x}:${b.y}:${b.w}:${b.h}`}
          aria-hidden="true"
          data-testid="highlight"
          className="pointer-events-none absolute rounded-sm bg-yellow-300/45 mix-blend-multiply ring-1 ring-yellow-500/60"
          style={{
            left: `${b.x * 100}%`,
            top: `${b.y * 100}%`,
            width: `${b.w * 100}%`,
            height: `${b.h * 100}%`,
          }}
        />
      ))}
    </div>
  );
}
