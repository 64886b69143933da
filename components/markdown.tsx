"use client";

import "katex/dist/katex.min.css";
import Markdown, { type Components } from "react-markdown";
import rehypeKatex from "rehype-katex";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";

const REMARK = [remarkGfm, remarkMath];
const REHYPE = [rehypeKatex];

const COMPONENTS: Components = {
  // Links in an answer leave the chat in a new tab; tables and code scroll on their own on a phone.
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer" />,
  table: ({ node: _node, ...props }) => (
    <div className="overflow-x-auto">
      <table {...props} />
    </div>
  ),
  pre: ({ node: _node, ...props }) => <pre dir="ltr" {...props} />,
};

/**
 * Models often write LaTeX as \( … \) and \[ … \], and a displayed formula as $$ … $$ on one
 * line, which remark-math reads as inline math: all become $ … $ or a $$ block. Code (fenced
 * blocks and inline spans) is left as written.
 */
export function normaliseMath(text: string): string {
  return text
    .split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/g)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\\\[([\s\S]+?)\\\]/g, (_, tex: string) => `\n$$\n${tex.trim()}\n$$\n`)
            .replace(/^[ \t]*\$\$([^\n$]+)\$\$[ \t]*$/gm, (_, tex: string) => `\n$$\n${tex.trim()}\n$$\n`)
            .replace(/\\\(([\s\S]+?)\\\)/g, (_, tex: string) => `$${tex.trim()}$`),
    )
    .join("");
}

/**
 * An answer of the tutor: GitHub Markdown with KaTeX math. The direction follows the text
 * (dir="auto": an Arabic answer flows right to left); formulas stay left to right (globals.css).
 */
export function MarkdownText({ text, className = "" }: { text: string; className?: string }) {
  return (
    <div dir="auto" className={`markdown ${className}`}>
      <Markdown remarkPlugins={REMARK} rehypePlugins={REHYPE} components={COMPONENTS}>
        {normaliseMath(text)}
      </Markdown>
    </div>
  );
}
