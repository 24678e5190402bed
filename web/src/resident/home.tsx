// Signed in, the first screen: ask for help (the text in any language, up to 4,000 characters)
// and the resident's requests with their live status.
import { useSignal } from "@preact/signals";
import { useRef } from "preact/hooks";
import type { UserError } from "../shared/graphql";
import { ago } from "../shared/format";
import type { MessageKey } from "../shared/i18n";
import { ErrorNotice } from "../shared/ui";
import { client, i18n, requests, T } from "./context";
import { errorsFor, FieldError, FormErrors, formText, guarded, TextField } from "./errors";
import { ops } from "./ops";
import type { MyRequest, Payload, Status } from "./types";
import { focusFirstInvalid } from "./welcome";

export const MAX_TEXT = 4000;

interface SubmitData {
  submitRequest: Payload & { request: MyRequest | null };
}

export function Home() {
  return (
    <>
      <SubmitForm />
      <RequestList />
    </>
  );
}

function SubmitForm() {
  const text = useSignal("");
  const errors = useSignal<UserError[]>([]);
  const failure = useSignal<unknown>(null);
  const busy = useSignal(false);
  const sent = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  const length = [...text.value].length; // characters, as the server counts them
  const over = length > MAX_TEXT;
  const invalid = (field: string) => errorsFor(errors.value, field).length > 0;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(form.current!);
    const value = (name: string) => formText(data, name);
    sent.value = false;
    await guarded(busy, failure, async () => {
      const result = await client.request<SubmitData>(ops.get("SubmitRequest"), {
        input: { text: text.value, area: value("area") || null, preferredTimes: value("preferredTimes") || null },
      });
      const payload = result.submitRequest;
      errors.value = payload.errors;
      if (payload.request) {
        requests.put(payload.request);
        text.value = "";
        form.current!.reset();
        sent.value = true;
      } else {
        focusFirstInvalid(form.current!, payload.errors);
      }
    });
  };

  return (
    <section class="card" aria-labelledby="ask-title">
      <h2 id="ask-title">
        <T k="resident.ask.title" />
      </h2>
      <p class="muted">
        <T k="resident.intro" />
      </p>
      <form ref={form} class="stack" onSubmit={(e) => void onSubmit(e)}>
        <div class="field">
          <label for="ask-text">
            <T k="resident.ask.text" />
          </label>
          <textarea
            id="ask-text"
            name="text"
            rows={6}
            required
            value={text.value}
            onInput={(e) => {
              text.value = e.currentTarget.value;
              sent.value = false;
            }}
            aria-invalid={over || invalid("text") || undefined}
            aria-describedby={["ask-text-hint", "ask-text-count", invalid("text") ? "ask-text-error" : ""].join(" ").trim()}
          />
          <p class="hint" id="ask-text-hint">
            <T k="resident.ask.textHint" />
          </p>
          <p class={over ? "counter over" : "counter"} id="ask-text-count" data-testid="text-count">
            <T k="resident.ask.count" p={{ count: length, max: MAX_TEXT }} />
            {over && (
              <>
                {" "}
                <T k="resident.ask.tooLong" p={{ max: MAX_TEXT }} />
              </>
            )}
          </p>
          <FieldError id="ask-text-error" errors={errorsFor(errors.value, "text")} />
        </div>
        <TextField
          id="ask-area"
          name="area"
          label="resident.ask.area"
          hint="resident.ask.areaHint"
          maxLength={100}
          errors={errors.value}
        />
        <TextField
          id="ask-preferredTimes"
          name="preferredTimes"
          label="resident.ask.times"
          hint="resident.ask.timesHint"
          hintId="ask-times-hint"
          maxLength={500}
          errors={errors.value}
        />
        <FormErrors errors={errors.value} fields={["text", "area", "preferredTimes"]} />
        <ErrorNotice error={failure.value} i18n={i18n} />
        <button class="primary big" type="submit" disabled={busy.value || over}>
          <T k="resident.ask.submit" />
        </button>
        <p role="status" class="sent">
          {sent.value && <T k="resident.ask.sent" />}
        </p>
      </form>
    </section>
  );
}

function RequestList() {
  const items = requests.sorted.value;
  return (
    <section class="card" aria-labelledby="mine-title">
      <h2 id="mine-title">
        <T k="resident.mine.title" />
      </h2>
      <ErrorNotice error={requests.error.value} i18n={i18n} onDismiss={() => (requests.error.value = null)} />
      {items.length === 0 ? (
        <p class="muted">{requests.loading.value ? <T k="common.loading" /> : <T k="resident.mine.empty" />}</p>
      ) : (
        <ul class="my-requests" data-testid="my-requests">
          {items.map((r) => (
            <RequestRow key={r.id} request={r} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RequestRow(props: { request: MyRequest }) {
  const r = props.request;
  const lang = i18n.locale.value.lang;
  return (
    <li class="my-request" data-request-id={r.id} data-status={r.status}>
      <a href={`#/request/${encodeURIComponent(r.id)}`} class="my-request-link">
        <span class="my-request-text">{excerpt(r.text)}</span>
        <span class="my-request-meta">
          <StatusChip status={r.status} /> <span class="muted">{ago(r.createdAt, lang)}</span>
        </span>
      </a>
    </li>
  );
}

/** The start of a request's text for the list, cut between characters (never inside one). */
function excerpt(text: string, max = 140): string {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join("") + "…" : text;
}

export function StatusChip(props: { status: Status }) {
  return (
    <span class={`chip status status-${props.status.toLowerCase()}`} data-testid="status">
      <T k={`resident.status.${props.status}` as MessageKey} />
    </span>
  );
}
