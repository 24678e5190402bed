// Payload errors: a field's problem next to the field (and the field marked invalid), anything
// else in one notice. The server writes `message` in the resident's language (their
// notificationLanguage, else the page's locale sent as Accept-Language).
import type { UserError } from "../shared/graphql";
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
