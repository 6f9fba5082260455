// runtime/display/escape.ts
// Escaping for the HTML and SVG this folder writes, and number formatting for labels.

const HTML_ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML/XML element content and quoted attributes. Also drops characters XML 1.0
 * forbids (control characters other than tab/newline/CR) so the SVG always parses. */
export function escapeXml(s: string): string {
  return String(s)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[&<>"']/g, (c) => HTML_ESC[c]);
}

const SCRIPT_ESC: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/** JSON that is safe inside an inline <script>: no "</script", "<!--" or U+2028/2029 surprises. */
export function jsonForScript(value: unknown): string {
  const s = JSON.stringify(value);
  return /[<>\u2028\u2029]/.test(s) ? s.replace(/[<>\u2028\u2029]/g, (c) => SCRIPT_ESC[c]) : s;
}

/** Short, readable number for ticks and labels: 0.001, 12.5, 1.2e+6. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(Math.max(0, digits - 2)).replace(/\.?0+e/, "e");
  const s = v.toPrecision(digits);
  return s.includes(".") && !s.includes("e") ? s.replace(/\.?0+$/, "") : s;
}
