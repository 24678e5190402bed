// Signed out: register (the token comes back once and stays in this tab) or sign in with a
// token kept from before. Everything labelled, errors next to their fields.
import { signal, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { ApiError, type UserError } from "../shared/graphql";
import { ErrorNotice } from "../shared/ui";
import { fetchViewer } from "../shared/viewer";
import { client, i18n, requests, session, t, T } from "./context";
import { errorsFor, FieldError, FormErrors, formText, guarded, TextField } from "./errors";
import { ops } from "./ops";
import type { Payload } from "./types";

/** The token just issued by registration, shown once until the resident moves on. */
export const issuedToken = signal<string | null>(null);

// The languages a resident can tick: the page's own (ISO 639-1, both Chinese scripts are "zh").
const LANGUAGE_CODES = ["ja", "en", "zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "th", "si", "es"];

function isoOf(locale: string): string {
  return locale.split("-")[0]!;
}

function languageName(code: string, lang: string): string {
  try {
    const own = new Intl.DisplayNames([code], { type: "language" }).of(code) ?? code;
    const here = new Intl.DisplayNames([lang], { type: "language" }).of(code) ?? code;
    return own === here ? own : `${own} (${here})`;
  } catch {
    return code;
  }
}

interface RegisterData {
  registerResident: Payload & { token: string | null };
}

const FIELDS = ["displayName", "languages", "area", "contact", "email"];

export function Register() {
  const errors = useSignal<UserError[]>([]);
  const failure = useSignal<unknown>(null);
  const busy = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  const ui = isoOf(i18n.locale.value.code);
  const invalid = (field: string) => errorsFor(errors.value, field).length > 0;
  const described = (field: string, hint?: string) =>
    [hint, invalid(field) ? `reg-${field}-error` : undefined].filter(Boolean).join(" ") || undefined;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(form.current!);
    const text = (name: string) => formText(data, name);
    const ticked = data.getAll("languages").map(String);
    const others = text("otherLanguages")
      .split(/[\s,、，]+/)
      .map((c) => c.toLowerCase())
      .filter(Boolean);
    // Preferred first: the language of the page, when ticked, then the others in menu order.
    const languages = [...new Set([...ticked.filter((c) => c === ui), ...ticked, ...others])];
    await guarded(busy, failure, async () => {
      const result = await client.request<RegisterData>(ops.get("RegisterResident"), {
        input: {
          displayName: text("displayName"),
          languages,
          area: text("area"),
          contact: text("contact"),
          email: text("email") || null,
          notificationLanguage: i18n.locale.value.code,
        },
      });
      const payload = result.registerResident;
      errors.value = payload.errors;
      if (payload.errors.length === 0 && payload.token) {
        issuedToken.value = payload.token;
        session.signIn(payload.token);
      } else {
        focusFirstInvalid(form.current!, payload.errors);
      }
    });
  };

  return (
    <section class="card" aria-labelledby="register-title">
      <h2 id="register-title">
        <T k="resident.register.title" />
      </h2>
      <p class="muted">
        <T k="resident.register.hint" />
      </p>
      <form ref={form} class="stack" onSubmit={(e) => void onSubmit(e)}>
        <TextField
          id="reg-displayName"
          name="displayName"
          label="resident.register.name"
          required
          maxLength={100}
          autoComplete="nickname"
          errors={errors.value}
        />
        <fieldset class="field" aria-describedby={described("languages", "reg-languages-hint")}>
          <legend>
            <T k="resident.register.languages" />
          </legend>
          <p class="hint" id="reg-languages-hint">
            <T k="resident.register.languagesHint" />
          </p>
          <div class="checks">
            {LANGUAGE_CODES.map((code) => (
              <label key={code} class="check">
                <input type="checkbox" name="languages" value={code} defaultChecked={code === ui} />{" "}
                <span lang={code}>{languageName(code, i18n.locale.value.lang)}</span>
              </label>
            ))}
          </div>
          <label for="reg-otherLanguages" class="sub-label">
            <T k="resident.register.otherLanguages" />
          </label>
          <input id="reg-otherLanguages" name="otherLanguages" type="text" autoComplete="off" placeholder="fr, ru" />
          <FieldError id="reg-languages-error" errors={errorsFor(errors.value, "languages")} />
        </fieldset>
        <TextField
          id="reg-area"
          name="area"
          label="resident.register.area"
          hint="resident.register.areaHint"
          required
          maxLength={100}
          errors={errors.value}
        />
        <TextField
          id="reg-contact"
          name="contact"
          label="resident.register.contact"
          hint="resident.register.contactHint"
          required
          maxLength={500}
          autoComplete="tel"
          errors={errors.value}
        />
        <TextField
          id="reg-email"
          name="email"
          label="resident.register.email"
          hint="resident.register.emailHint"
          type="email"
          autoComplete="email"
          errors={errors.value}
        />
        <FormErrors errors={errors.value} fields={FIELDS} />
        <ErrorNotice error={failure.value} i18n={i18n} />
        <button class="primary big" type="submit" disabled={busy.value}>
          <T k="resident.register.submit" />
        </button>
      </form>
    </section>
  );
}

/** Move focus to the first field the server refused, so the resident hears what to fix. */
export function focusFirstInvalid(form: HTMLFormElement, errors: UserError[]): void {
  for (const error of errors) {
    const field = error.path[error.path.length - 1];
    const element = field ? form.querySelector<HTMLElement>(`[name="${field}"]`) : null;
    if (element) {
      requestAnimationFrame(() => element.focus());
      return;
    }
  }
}

export function SignInForm() {
  const failure = useSignal<unknown>(null);
  const busy = useSignal(false);
  return (
    <section class="card" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">
        <T k="resident.signIn.title" />
      </h2>
      <p class="muted">
        <T k="resident.signInHint" />
      </p>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const input = event.currentTarget.elements.namedItem("token") as HTMLInputElement;
          if (!input.value.trim()) return;
          busy.value = true;
          failure.value = null;
          session.signIn(input.value);
          fetchViewer(client)
            .then((viewer) => {
              if (viewer.role !== "RESIDENT") throw new ApiError(t("common.signIn.wrongRole"), "FORBIDDEN");
              requests.name.value = viewer.resident?.displayName ?? "";
            })
            .catch((error: unknown) => {
              session.signOut();
              failure.value = error;
            })
            .finally(() => {
              busy.value = false;
            });
        }}
      >
        <label for="token">
          <T k="common.signIn.token" />
        </label>
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} required />
        <button class="primary big" type="submit" disabled={busy.value}>
          <T k="common.signIn.submit" />
        </button>
      </form>
      <ErrorNotice error={failure.value} i18n={i18n} />
    </section>
  );
}

/** Registration done: the token, once, with how to keep it. */
export function TokenShown(props: { token: string }) {
  const copied = useSignal(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section class="card" aria-labelledby="token-title">
      <h2 id="token-title" tabIndex={-1} ref={heading}>
        <T k="resident.token.title" />
      </h2>
      <p>
        <T k="resident.token.keep" />
      </p>
      <label for="issued-token">
        <T k="common.signIn.token" />
      </label>
      <input id="issued-token" type="text" readOnly value={props.token} class="token" onFocus={(e) => e.currentTarget.select()} />
      <div class="actions">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard
              ?.writeText(props.token)
              .then(() => {
                copied.value = true;
              })
              .catch(() => undefined);
          }}
        >
          <T k="resident.token.copy" />
        </button>
        <button type="button" class="primary" onClick={() => (issuedToken.value = null)}>
          <T k="resident.token.continue" />
        </button>
      </div>
      <p role="status">{copied.value && <T k="resident.token.copied" />}</p>
    </section>
  );
}
