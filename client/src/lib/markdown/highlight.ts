import type { HLJSApi, LanguageFn } from 'highlight.js';
import { sanitizeHighlight } from './sanitize.ts';

/*
 * highlight.js loads only when a message has a fenced block with a language,
 * and then only that language (each a separate chunk).
 */
type Loader = () => Promise<{ default: LanguageFn }>;

const LANGUAGES: Record<string, Loader> = {
  javascript: () => import('highlight.js/lib/languages/javascript'),
  typescript: () => import('highlight.js/lib/languages/typescript'),
  python: () => import('highlight.js/lib/languages/python'),
  rust: () => import('highlight.js/lib/languages/rust'),
  go: () => import('highlight.js/lib/languages/go'),
  java: () => import('highlight.js/lib/languages/java'),
  c: () => import('highlight.js/lib/languages/c'),
  cpp: () => import('highlight.js/lib/languages/cpp'),
  csharp: () => import('highlight.js/lib/languages/csharp'),
  bash: () => import('highlight.js/lib/languages/bash'),
  json: () => import('highlight.js/lib/languages/json'),
  xml: () => import('highlight.js/lib/languages/xml'),
  css: () => import('highlight.js/lib/languages/css'),
  sql: () => import('highlight.js/lib/languages/sql'),
  yaml: () => import('highlight.js/lib/languages/yaml'),
  diff: () => import('highlight.js/lib/languages/diff'),
  markdown: () => import('highlight.js/lib/languages/markdown'),
};

const ALIASES: Record<string, string> = {
  js: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  rs: 'rust',
  golang: 'go',
  'c++': 'cpp',
  cs: 'csharp',
  'c#': 'csharp',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  html: 'xml',
  svg: 'xml',
  yml: 'yaml',
  md: 'markdown',
  patch: 'diff',
};

let core: Promise<HLJSApi> | undefined;
const loaded = new Map<string, Promise<void>>();

/** The highlight.js language name for a fence's tag, undefined when unsupported. */
export function languageOf(tag: string): string | undefined {
  const name = ALIASES[tag] ?? tag;
  return name in LANGUAGES ? name : undefined;
}

async function load(name: string): Promise<HLJSApi> {
  core ??= import('highlight.js/lib/core').then((m) => m.default);
  const hljs = await core;
  let ready = loaded.get(name);
  if (!ready) {
    const loader = LANGUAGES[name];
    if (!loader) throw new Error(`no highlighter for ${name}`);
    ready = loader().then((m) => hljs.registerLanguage(name, m.default));
    loaded.set(name, ready);
  }
  await ready;
  return hljs;
}

/** Highlights the fenced blocks under `root` that name a supported language. */
export async function highlightWithin(root: HTMLElement): Promise<void> {
  const blocks = root.querySelectorAll<HTMLElement>('pre > code[class^="lang-"]:not(.hljs)');
  for (const block of blocks) {
    const name = languageOf(block.className.slice('lang-'.length));
    if (!name) continue;
    const hljs = await load(name);
    if (!block.isConnected) continue;
    const html = hljs.highlight(block.textContent, { language: name, ignoreIllegals: true }).value;
    block.innerHTML = sanitizeHighlight(html);
    block.classList.add('hljs');
  }
}
