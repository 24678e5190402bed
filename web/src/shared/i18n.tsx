// Translations are data: web/src/i18n/<locale>.json, flat "page.area.item" keys, English the
// reference (its key set is the MessageKey type, so a typo in code fails the typecheck).
// Keys under "common." and "<page>." must exist in every locale the page offers
// (tests/test_web_i18n.py checks every file).
//
// Markup inside a message, never HTML:
//   {name}            a parameter, filled by t()/<T>
//   {漢字|かんじ}      ruby: base text with its reading (furigana), used by the ja-easy locale;
//                     <T> renders <ruby>漢字<rt>かんじ</rt></ruby>, t() gives the base text alone
//                     (for attributes such as aria-label and placeholder).
import { signal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type en from "../i18n/en.json";
import catalog from "../i18n/locales.json";

export type MessageKey = Exclude<keyof typeof en, "$comment">;
export type Params = Record<string, string | number>;
export type Page = "resident" | "volunteer" | "staff";

export interface LocaleInfo {
  code: string;
  name: string;
  lang: string;
  dir: "ltr" | "rtl";
  pages: Page[];
}

export const LOCALES = catalog.locales as LocaleInfo[];

type Messages = Partial<Record<MessageKey, string>>;

// Each locale file is its own chunk, fetched only when chosen.
const loaders = import.meta.glob<{ default: Messages }>(["../i18n/*.json", "!../i18n/locales.json"]);

const TOKEN = /\{([^{}|]+)\|([^{}|]+)\}|\{(\w+)\}/g;

async function load(code: string): Promise<Messages> {
  const loader = loaders[`../i18n/${code}.json`];
  if (!loader) return {};
  return (await loader()).default;
}

export class I18n {
  readonly locale = signal<LocaleInfo>(LOCALES[0]!);
  private readonly messages = signal<Messages>({});
  private readonly fallback = signal<Messages>({});

  constructor(
    readonly page: Page,
    private readonly defaultCode: string,
  ) {}

  get locales(): LocaleInfo[] {
    return LOCALES.filter((l) => l.pages.includes(this.page));
  }

  /** The language chosen earlier in this page's menu, if it is still offered. */
  savedCode(): string | null {
    try {
      const saved = localStorage.getItem(`otonari.locale.${this.page}`);
      if (saved && this.locales.some((l) => l.code === saved)) return saved;
    } catch {
      // No storage.
    }
    return null;
  }

  /** The saved choice, else the browser's languages, else the page's default. */
  initialCode(): string {
    const offered = this.locales.map((l) => l.code);
    const saved = this.savedCode();
    if (saved) return saved;
    if (this.page === "resident") {
      for (const wanted of navigator.languages) {
        const exact = offered.find((c) => c.toLowerCase() === wanted.toLowerCase());
        if (exact) return exact;
        const base = wanted.split("-")[0]!.toLowerCase();
        if (base === "zh") return /tw|hk|mo|hant/i.test(wanted) ? "zh-Hant" : "zh-Hans";
        const same = offered.find((c) => c === base);
        if (same) return same;
      }
    }
    return this.defaultCode;
  }

  async use(code: string, remember = false): Promise<void> {
    const info = this.locales.find((l) => l.code === code) ?? this.locales.find((l) => l.code === this.defaultCode)!;
    const [messages, fallback] = await Promise.all([load(info.code), info.code === "en" ? {} : load("en")]);
    this.messages.value = messages;
    this.fallback.value = fallback;
    this.locale.value = info;
    document.documentElement.lang = info.lang;
    document.documentElement.dir = info.dir;
    if (remember) {
      try {
        localStorage.setItem(`otonari.locale.${this.page}`, info.code);
      } catch {
        // Not remembered.
      }
    }
  }

  private raw(key: MessageKey): string {
    return this.messages.value[key] ?? this.fallback.value[key] ?? key;
  }

  /** Plain text (ruby readings dropped): for attributes, titles and confirm() prompts. */
  t = (key: MessageKey, params: Params = {}): string =>
    this.raw(key).replace(TOKEN, (_m, base: string | undefined, _reading, name: string | undefined) =>
      base !== undefined ? base : String(params[name!] ?? `{${name}}`),
    );

  /** Rich text: parameters filled, ruby as <ruby> elements. */
  rich(key: MessageKey, params: Params = {}): ComponentChildren {
    const text = this.raw(key);
    const parts: ComponentChildren[] = [];
    let last = 0;
    for (const match of text.matchAll(TOKEN)) {
      if (match.index > last) parts.push(text.slice(last, match.index));
      const [, base, reading, name] = match;
      if (base !== undefined) {
        parts.push(
          <ruby key={match.index}>
            {base}
            <rp>(</rp>
            <rt>{reading}</rt>
            <rp>)</rp>
          </ruby>,
        );
      } else {
        parts.push(String(params[name!] ?? `{${name}}`));
      }
      last = match.index + match[0].length;
    }
    if (last < text.length) parts.push(text.slice(last));
    return parts;
  }

  /** <T k="key" p={{...}} />: a translated message with ruby and parameters (reading the
   * messages signal here re-renders the component when the locale changes). */
  T = (props: { k: MessageKey; p?: Params }) => <>{this.rich(props.k, props.p)}</>;
}
