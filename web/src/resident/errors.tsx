// Payload errors: a field's problem next to the field (and the field marked invalid), anything
// else in one notice. The server writes `message` in the resident's language (their
// notificationLanguage, else the page's locale sent as Accept-Language).
import type { Signal } from "@preact/signals";
import type { UserError } from "../shared/graphql";
import type { MessageKey } from "../shared/i18n";
import { T } from "./context";

/** The errors about one input field (path ["input", field]). */
export function errorsFor(errors: UserError[], field: string): UserError[] {
  return errors.filter((e) => e.path[e.path.length - 1] === field);
}

export function FieldError(props: { id: string; errors: UserError[] }) {
  if (props.errors.length === 0) return null;
  return (
    <p class="field-error" id={props.id}>
      {props.errors.map((e) => e.message).join(" ")}
    </p>
  );
}

/** Errors not tied to a shown field. */
export function FormErrors(props: { errors: UserError[]; fields: string[] }) {
  const rest = props.errors.filter((e) => !props.fields.includes(e.path[e.path.length - 1] ?? ""));
  if (rest.length === 0) return null;
  return (
    <div class="notice error" role="alert">
      <strong>
        <T k="common.error.title" />
      </strong>{" "}
      {rest.map((e) => e.message).join(" ")}
    </div>
  );
}

/** A text field of a submitted form, trimmed ("" when absent). */
export function formText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === "string" ? value.trim() : "";
}

/** A labelled one-line input of an uncontrolled form: its hint below, the server's refusal
 * (`${id}-error`) under that, and the input described by both. */
export function TextField(props: {
  id: string;
  name: string;
  label: MessageKey;
  hint?: MessageKey;
  hintId?: string;
  errors: UserError[];
  type?: "text" | "email";
  required?: boolean;
  maxLength?: number;
  autoComplete?: string;
}) {
  const errors = errorsFor(props.errors, props.name);
  const errorId = `${props.id}-error`;
  const hintId = props.hint ? (props.hintId ?? `${props.id}-hint`) : undefined;
  const invalid = errors.length > 0;
  // A literal per kind: Preact's input types tell the kinds apart by `type`.
  const kind = props.type === "email" ? ({ type: "email" } as const) : ({ type: "text" } as const);
  return (
    <div class="field">
      <label for={props.id}>
        <T k={props.label} />
      </label>
      <input
        id={props.id}
        name={props.name}
        {...kind}
        required={props.required}
        maxLength={props.maxLength}
        autoComplete={props.autoComplete}
        aria-invalid={invalid || undefined}
        aria-describedby={[hintId, invalid ? errorId : undefined].filter(Boolean).join(" ") || undefined}
      />
      {props.hint && (
        <p class="hint" id={hintId}>
          <T k={props.hint} />
        </p>
      )}
      <FieldError id={errorId} errors={errors} />
    </div>
  );
}

/** Run a form's request with `busy` set, keeping what it throws (network, server) in `failure`
 * for the page's ErrorNotice. */
export async function guarded(busy: Signal<boolean>, failure: Signal<unknown>, request: () => Promise<void>): Promise<void> {
  busy.value = true;
  failure.value = null;
  try {
    await request();
  } catch (error) {
    failure.value = error;
  } finally {
    busy.value = false;
  }
}
