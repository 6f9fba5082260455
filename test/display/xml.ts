// test/display/xml.ts
// A strict little XML well-formedness checker for the SVG we emit (no XML parser is installed and
// none is worth a dependency): one root, matched tags, quoted unique attributes, known entities,
// no stray "<" or "&". Returns the element tree so tests can count what was drawn.

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

function checkText(s: string, where: number): string {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "<") throw new Error(`xml: unescaped "<" at ${where + i}`);
    if (s[i] === "&" && !ENTITY.test(s.slice(i))) throw new Error(`xml: bad entity at ${where + i}: ${s.slice(i, i + 12)}`);
  }
  return s;
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipProlog = () => {
    if (src.startsWith("<?xml", i)) { const e = src.indexOf("?>", i); if (e < 0) throw new Error("xml: unterminated prolog"); i = e + 2; }
  };
  skipProlog();
  while (i < src.length) {
    if (src.startsWith("<!--", i)) {
      const e = src.indexOf("-->", i + 4);
      if (e < 0) throw new Error("xml: unterminated comment");
      i = e + 3; continue;
    }
    if (src[i] === "<") {
      if (src[i + 1] === "/") {
        const m = NAME.exec(src.slice(i + 2));
        if (!m) throw new Error(`xml: bad closing tag at ${i}`);
        const open = stack.pop();
        if (!open || open.name !== m[0]) throw new Error(`xml: </${m[0]}> at ${i} does not close <${open?.name}>`);
        i += 2 + m[0].length;
        while (/\s/.test(src[i])) i++;
        if (src[i] !== ">") throw new Error(`xml: expected ">" at ${i}`);
        i++;
        continue;
      }
      const m = NAME.exec(src.slice(i + 1));
      if (!m) throw new Error(`xml: bad tag at ${i}: ${src.slice(i, i + 20)}`);
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
      i += 1 + m[0].length;
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0].length;
        i += ws;
        if (src.startsWith("/>", i)) { i += 2; break; }
        if (src[i] === ">") { i++; stack.push(el); break; }
        if (ws === 0) throw new Error(`xml: expected whitespace before attribute at ${i}: ${src.slice(i, i + 20)}`);
        const a = NAME.exec(src.slice(i));
        if (!a) throw new Error(`xml: bad attribute at ${i}: ${src.slice(i, i + 20)}`);
        i += a[0].length;
        if (src[i] !== "=" || (src[i + 1] !== '"' && src[i + 1] !== "'")) throw new Error(`xml: attribute ${a[0]} not quoted at ${i}`);
        const q = src[i + 1], e = src.indexOf(q, i + 2);
        if (e < 0) throw new Error(`xml: unterminated attribute ${a[0]}`);
        if (a[0] in el.attrs) throw new Error(`xml: duplicate attribute ${a[0]} on <${el.name}>`);
        el.attrs[a[0]] = checkText(src.slice(i + 2, e), i + 2);
        i = e + 1;
      }
      const parent = stack[stack.length - (stack[stack.length - 1] === el ? 2 : 1)];
      if (parent) parent.children.push(el);
      else if (root) throw new Error("xml: more than one root element");
      else root = el;
      continue;
    }
    const e = src.indexOf("<", i);
    const text = src.slice(i, e < 0 ? src.length : e);
    if (stack.length) stack[stack.length - 1].text += checkText(text, i);
    else if (text.trim()) throw new Error(`xml: text outside the root at ${i}`);
    i = e < 0 ? src.length : e;
  }
  if (stack.length) throw new Error(`xml: <${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error("xml: no root element");
  return root;
}

/** Every element in document order. */
export function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}

export function byClass(root: XmlElement, cls: string): XmlElement[] {
  return allElements(root).filter((e) => (e.attrs.class ?? "").split(/\s+/).includes(cls));
}

/** Points in an SVG path's d: one per M or L command. */
export function pathPoints(d: string): number { return (d.match(/[ML]/g) ?? []).length; }
export function pathSegments(d: string): number { return (d.match(/M/g) ?? []).length; }
