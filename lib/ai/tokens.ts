// Token estimates without a tokenizer. The wallet RESERVES tokens before a model call from this
// estimate and settles with the usage the provider reports afterwards, so the estimate must err
// on the high side: an underestimate would let concurrent chats overspend a wallet; an
// overestimate only holds a little more balance for a few seconds.
//
// Measured ratios of the tokenizers BacMR meets (OpenAI o200k for gpt-4o*, cl100k for older
// models, Llama 3 / Qwen for OpenAI-compatible servers):
// - Latin script (French, English, formulas in ASCII): 3.5 to 4.5 characters per token. We count
//   4 characters per token (0.25), the usual rule, slightly high for French under o200k.
// - Arabic script: about 3 characters per token with o200k and Llama 3, but only 1.2 to 1.5 with
//   cl100k, and every haraka is a code point of its own. We count 2 characters per token (0.5):
//   conservative for current models; a cl100k-era model may use up to ~1.7x more, which the
//   settlement from reported usage corrects.
// - Anything else (Greek letters of physics, math symbols, arrows, CJK, emoji) is rarely merged
//   with its neighbours: 1 token per code point.

const LATIN_TOKENS_PER_CHAR = 0.25;
const ARABIC_TOKENS_PER_CHAR = 0.5;
const OTHER_TOKENS_PER_CHAR = 1;

function isArabicBlock(c: number): boolean {
  return (
    (c >= 0x0600 && c <= 0x06ff) ||
    (c >= 0x0750 && c <= 0x077f) ||
    (c >= 0x08a0 && c <= 0x08ff) ||
    (c >= 0xfb50 && c <= 0xfdff) ||
    (c >= 0xfe70 && c <= 0xfeff)
  );
}

/** Latin-1 and Latin Extended letters, combining accents, general punctuation (’ « » – …). */
function isLatinLike(c: number): boolean {
  return (
    c < 0x0250 || (c >= 0x0300 && c <= 0x036f) || (c >= 0x1e00 && c <= 0x1eff) || (c >= 0x2000 && c <= 0x206f)
  );
}

/**
 * Conservative token estimate of a text: 1 token per 4 Latin characters, 1 per 2 Arabic-script
 * characters (letters and harakat), 1 per other code point (see the measurements above). 0 for
 * the empty string, at least 1 otherwise.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair (emoji, math alphanumerics) is one code point.
      tokens += OTHER_TOKENS_PER_CHAR;
      i++;
    } else if (isLatinLike(c)) tokens += LATIN_TOKENS_PER_CHAR;
    else if (isArabicBlock(c)) tokens += ARABIC_TOKENS_PER_CHAR;
    else tokens += OTHER_TOKENS_PER_CHAR;
  }
  return Math.ceil(tokens);
}
