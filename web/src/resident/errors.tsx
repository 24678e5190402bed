// Payload errors in the resident's language: a field's problem next to the field (and the
// field marked invalid), anything else in one notice. The server's own words follow in small
// print, since they name the exact limit.
import type { UserError } from "../shared/graphql";
import type { MessageKey } from "../shared/i18n";
import { t, T } from "./context";

const CODES = new Set(["INVALID_INPUT", "NOT_FOUND", "FORBIDDEN", "CONFLICT", "RATE_LIMITED", "UNAUTHENTICATED"]);

export function problemText(error: UserError): string {
  const code = CODES.has(error.code) ? error.code : "INVALID_INPUT";
  if (code === "RATE_LIMITED") return t("resident.problem.RATE_LIMITED", { seconds: error.retryAfterSeconds ?? 60 });
  return t(`resident.problem.${code}` as MessageKey);
}

/** The errors about one input field (path ["input", field]). */
export function errorsFor(errors: UserError[], field: string): UserError[] {
  return errors.filter((e) => e.path[e.path.length - 1] === field);
}

export function FieldError(props: { id: string; errors: UserError[] }) {
  if (props.errors.length === 0) return null;
  return (
    <p class="field-error" id={props.id}>
      {props.errors.map((e, i) => (
        <span key={i}>
          {problemText(e)} <span class="server-words">({e.message})</span>{" "}
        </span>
      ))}
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
      {rest.map((e, i) => (
        <span key={i}>
          {problemText(e)} <span class="server-words">({e.message})</span>{" "}
        </span>
      ))}
    </div>
  );
}

/** A text field of a submitted form, trimmed ("" when absent). */
export function formText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === "string" ? value.trim() : "";
}
