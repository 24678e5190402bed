// One request: its status in words, the emergency advice when there is one, the matched
// volunteer's contact, cancel, and completion with a rating and the long-term wish.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { dateTime } from "../shared/format";
import type { UserError } from "../shared/graphql";
import type { MessageKey } from "../shared/i18n";
import { ErrorNotice } from "../shared/ui";
import { client, i18n, requests, t, T } from "./context";
import { AdviceBlock } from "./emergency";
import { errorsFor, FieldError, FormErrors, formText, guarded } from "./errors";
import { StatusChip } from "./home";
import { ops } from "./ops";
import type { MyRequest, Payload } from "./types";

const CANCELLABLE = new Set(["RECEIVED", "IN_REVIEW", "ESCALATED", "OPEN", "MATCHED"]);

export function Detail(props: { id: string }) {
  const request = requests.get(props.id);
  const missing = useSignal(false);
  const failure = useSignal<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    if (!requests.get(props.id)) {
      requests
        .fetch(props.id)
        .then((found) => {
          missing.value = found === null;
        })
        .catch((e: unknown) => {
          failure.value = e;
        });
    }
  }, [props.id]);

  return (
    <article class="card request-detail" data-request-id={props.id} aria-labelledby="detail-title">
      <p>
        <a href="#/">
          <T k="resident.detail.back" />
        </a>
      </p>
      <h2 id="detail-title" tabIndex={-1} ref={heading}>
        <T k="resident.detail.title" />
      </h2>
      <ErrorNotice error={failure.value} i18n={i18n} />
      {!request ? (
        <p class="muted">{missing.value ? <T k="resident.detail.notFound" /> : <T k="common.loading" />}</p>
      ) : (
        <RequestBody request={request} />
      )}
    </article>
  );
}

function RequestBody(props: { request: MyRequest }) {
  const r = props.request;
  const lang = i18n.locale.value.lang;
  return (
    <>
      <div class="status-line" aria-live="polite">
        <StatusChip status={r.status} />{" "}
        <span data-testid="status-help">
          <T k={`resident.statusHelp.${r.status}` as MessageKey} />
        </span>
      </div>
      {r.emergencyAdvice && (r.status === "ESCALATED" || r.urgency === "EMERGENCY") && (
        <section class="advice-inline" aria-labelledby="advice-inline-title">
          <h3 id="advice-inline-title">
            <T k="resident.emergency.title" />
          </h3>
          <AdviceBlock advice={r.emergencyAdvice} language={r.triage?.language ?? null} />
          <button type="button" onClick={() => requests.showEmergency(r.id)}>
            <T k="resident.emergency.showAgain" />
          </button>
        </section>
      )}
      <dl class="facts">
        <dt>
          <T k="resident.detail.text" />
        </dt>
        <dd class="request-text">{r.text}</dd>
        <dt>
          <T k="resident.ask.area" />
        </dt>
        <dd>{r.area}</dd>
        {r.preferredTimes && (
          <>
            <dt>
              <T k="resident.ask.times" />
            </dt>
            <dd>{r.preferredTimes}</dd>
          </>
        )}
        <dt>
          <T k="resident.detail.sent" />
        </dt>
        <dd>{dateTime(r.createdAt, lang)}</dd>
      </dl>
      {r.assignedVolunteer && <VolunteerCard volunteer={r.assignedVolunteer} />}
      {(r.status === "MATCHED" || r.status === "COMPLETED") && <Completion request={r} />}
      {CANCELLABLE.has(r.status) && <Cancel request={r} />}
    </>
  );
}

function contactLink(contact: string): string | null {
  const value = contact.trim();
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return `mailto:${value}`;
  const digits = value.replace(/[\s()-]/g, "");
  if (/^\+?\d{6,15}$/.test(digits)) return `tel:${digits}`;
  return null;
}

function VolunteerCard(props: { volunteer: NonNullable<MyRequest["assignedVolunteer"]> }) {
  const v = props.volunteer;
  const link = v.contact ? contactLink(v.contact) : null;
  return (
    <section class="volunteer" aria-labelledby="volunteer-title" data-testid="volunteer">
      <h3 id="volunteer-title">
        <T k="resident.volunteer.title" />
      </h3>
      <p class="volunteer-name">{v.displayName}</p>
      {v.contact && (
        <p>
          <T k="resident.volunteer.contact" />{" "}
          {link ? (
            <a href={link} class="contact-link">
              {v.contact}
            </a>
          ) : (
            <span class="contact-text">{v.contact}</span>
          )}
        </p>
      )}
      <p class="muted">
        <T k="resident.volunteer.hint" />
      </p>
    </section>
  );
}

interface CancelData {
  cancelRequest: Payload & { request: MyRequest | null };
}

function Cancel(props: { request: MyRequest }) {
  const armed = useSignal(false);
  const errors = useSignal<UserError[]>([]);
  const failure = useSignal<unknown>(null);
  const busy = useSignal(false);
  const confirm = async () => {
    await guarded(busy, failure, async () => {
      const data = await client.request<CancelData>(ops.get("CancelMyRequest"), { id: props.request.id });
      errors.value = data.cancelRequest.errors;
      if (data.cancelRequest.request) requests.put(data.cancelRequest.request);
      armed.value = false;
    });
  };
  return (
    <section class="cancel" aria-labelledby="cancel-title">
      <h3 id="cancel-title">
        <T k="resident.cancel.title" />
      </h3>
      {!armed.value ? (
        <button type="button" class="danger" onClick={() => (armed.value = true)}>
          <T k="resident.cancel.button" />
        </button>
      ) : (
        <div role="group" aria-labelledby="cancel-question">
          <p id="cancel-question">
            <T k="resident.cancel.confirm" />
          </p>
          <div class="actions">
            <button type="button" class="danger" disabled={busy.value} onClick={() => void confirm()} ref={(el) => el?.focus()}>
              <T k="resident.cancel.yes" />
            </button>
            <button type="button" onClick={() => (armed.value = false)}>
              <T k="resident.cancel.no" />
            </button>
          </div>
        </div>
      )}
      <FormErrors errors={errors.value} fields={[]} />
      <ErrorNotice error={failure.value} i18n={i18n} />
    </section>
  );
}

interface CompleteData {
  completeRequest: Payload & { request: MyRequest | null; longTermPair: { id: string } | null };
}

function Completion(props: { request: MyRequest }) {
  const errors = useSignal<UserError[]>([]);
  const failure = useSignal<unknown>(null);
  const busy = useSignal(false);
  const pair = useSignal(false);
  const wished = useSignal(false);
  const form = useRef<HTMLFormElement>(null);
  if (props.request.viewerCompleted) {
    return (
      <section class="completion" aria-labelledby="complete-title">
        <h3 id="complete-title">
          <T k="resident.complete.title" />
        </h3>
        <p role="status" data-testid="completed">
          <T k="resident.complete.done" />{" "}
          {pair.value ? <T k="resident.complete.paired" /> : wished.value && <T k="resident.complete.wishNoted" />}
        </p>
      </section>
    );
  }
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(form.current!);
    const rating = data.get("rating");
    const comment = formText(data, "comment");
    const wants = data.get("longTerm") === "yes";
    await guarded(busy, failure, async () => {
      const result = await client.request<CompleteData>(ops.get("CompleteMyRequest"), {
        input: {
          requestId: props.request.id,
          rating: rating ? Number(rating) : null,
          comment: comment || null,
          wantsLongTermPair: wants,
        },
      });
      const payload = result.completeRequest;
      errors.value = payload.errors;
      if (payload.request) {
        pair.value = payload.longTermPair !== null;
        wished.value = wants;
        requests.put(payload.request);
      }
    });
  };
  return (
    <section class="completion" aria-labelledby="complete-title">
      <h3 id="complete-title">
        <T k="resident.complete.title" />
      </h3>
      <p class="muted">
        <T k="resident.complete.hint" />
      </p>
      <form ref={form} class="stack" onSubmit={(e) => void onSubmit(e)}>
        <fieldset class="rating">
          <legend>
            <T k="resident.complete.rating" />
          </legend>
          <div class="stars">
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n} class="star">
                <input type="radio" name="rating" value={n} />{" "}
                <span aria-hidden="true">{"★".repeat(n)}</span>
                <span class="visually-hidden">{t("resident.complete.stars", { count: n })}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="complete-comment">
            <T k="resident.complete.comment" />
          </label>
          <textarea id="complete-comment" name="comment" rows={3} maxLength={2000} />
          <FieldError id="complete-comment-error" errors={errorsFor(errors.value, "comment")} />
        </div>
        <label class="check">
          <input type="checkbox" name="longTerm" value="yes" /> <T k="resident.complete.longTerm" />
        </label>
        <p class="hint">
          <T k="resident.complete.longTermHint" />
        </p>
        <FormErrors errors={errors.value} fields={["comment"]} />
        <ErrorNotice error={failure.value} i18n={i18n} />
        <button class="primary big" type="submit" disabled={busy.value}>
          <T k="resident.complete.submit" />
        </button>
      </form>
    </section>
  );
}
