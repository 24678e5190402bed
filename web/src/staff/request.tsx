// One request, as staff review it: the text and its detected language, the triage (field
// scores and urgency as bars, confidence, signals), the nearest reviewed requests, the
// emergency advice the resident was shown, the decision (by keyboard), the ranked candidates
// with their score breakdown (offers by hand), the offers and the timeline.
//
// Keys (not while typing in a field): 1-5 field, e/h/n/l urgency, a approve (with the
// chosen field and urgency: a correction when they differ from the triage), m note, x x close.
import { useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { MessageKey } from "../shared/i18n";
import { ago, dateTime } from "../shared/format";
import { navigate } from "../shared/router";
import { Bar, ErrorNotice } from "../shared/ui";
import { client, i18n, queue, t, T } from "./context";
import { ops } from "./ops";
import { isTyping, UrgencyChip } from "./queue-page";
import { FIELDS, URGENCIES, type Field, type RequestDetail, type Urgency, type UserError } from "./types";

const URGENCY_KEYS: Record<string, Urgency> = { e: "EMERGENCY", h: "HIGH", n: "NORMAL", l: "LOW" };
export const FIELD_COLORS: Record<Field, string> = {
  MEDICAL: "var(--field-medical)",
  WELFARE: "var(--field-welfare)",
  CHILDCARE_EDUCATION: "var(--field-childcare)",
  LIFELINE: "var(--field-lifeline)",
  OTHER: "var(--field-other)",
};
const DECIDABLE = new Set(["IN_REVIEW", "ESCALATED"]);

interface DetailData {
  request: RequestDetail | null;
}
interface ReviewResult {
  reviewTriage: { request: { id: string; status: string; field: Field; urgency: Urgency } | null; errors: UserError[] };
}
interface SendResult {
  sendOffers: { request: { id: string; status: string } | null; errors: UserError[] };
}

export function RequestView(props: { id: string; onDecided: (id: string) => void }) {
  const detail = useSignal<RequestDetail | null>(null);
  const missing = useSignal(false);
  const error = useSignal<unknown>(null);
  const field = useSignal<Field | null>(null);
  const urgency = useSignal<Urgency | null>(null);
  const note = useSignal("");
  const busy = useSignal(false);
  const closeArmed = useSignal(false);
  const notice = useSignal<string | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);

  const load = async () => {
    try {
      const data = await client.request<DetailData>(ops.get("RequestDetail"), { id: props.id });
      if (!data.request) {
        missing.value = true;
        return;
      }
      const first = detail.value === null;
      detail.value = data.request;
      if (first) {
        field.value = data.request.review?.field ?? data.request.triage?.field ?? data.request.field;
        urgency.value = data.request.review?.urgency ?? data.request.triage?.urgency ?? data.request.urgency;
      }
    } catch (e) {
      error.value = e;
    }
  };

  // Live: re-read on every event of this request, and after a reconnection.
  useEffect(() => {
    void load();
    const stop = client.subscribe(ops.get("RequestUpdated"), { id: props.id }, { next: () => void load() });
    const unresync = client.onResync(() => void load());
    queue.acknowledge(props.id);
    return () => {
      stop();
      unresync();
    };
  }, [props.id]);

  const request = detail.value;
  const decidable = request !== null && DECIDABLE.has(request.status);

  const decide = async (decision: "APPROVE" | "CLOSE") => {
    if (!request || busy.value || !decidable) return;
    busy.value = true;
    error.value = null;
    try {
      const data = await client.request<ReviewResult>(ops.get("ReviewTriage"), {
        input: {
          requestId: request.id,
          decision,
          field: field.value,
          urgency: urgency.value,
          note: note.value.trim() || null,
        },
      });
      const result = data.reviewTriage;
      if (result.errors.length) {
        error.value = result.errors;
        return;
      }
      queue.removeLocally(request.id);
      queue.recent.value = [
        { id: request.id, text: request.text, decision, field: field.value, urgency: urgency.value },
        ...queue.recent.value.filter((r) => r.id !== request.id),
      ].slice(0, 8);
      props.onDecided(request.id);
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTyping(event.target)) {
        if (event.key === "Escape" && event.target === noteRef.current) noteRef.current?.blur();
        return;
      }
      const key = event.key;
      if (!decidable) return;
      if (key >= "1" && key <= "5") field.value = FIELDS[Number(key) - 1]!;
      else if (key in URGENCY_KEYS) urgency.value = URGENCY_KEYS[key]!;
      else if (key === "a") void decide("APPROVE");
      else if (key === "m") noteRef.current?.focus();
      else if (key === "x") {
        if (closeArmed.value) {
          closeArmed.value = false;
          void decide("CLOSE");
        } else {
          closeArmed.value = true;
          setTimeout(() => (closeArmed.value = false), 4000);
        }
      } else return;
      event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  });

  if (missing.value) {
    return (
      <p class="notice">
        <T k="staff.request.notFound" />
      </p>
    );
  }
  if (!request) {
    return error.value ? <ErrorNotice error={error.value} i18n={i18n} /> : <p class="muted">{t("common.loading")}</p>;
  }
  const lang = i18n.locale.value.lang;
  const triage = request.triage;
  const corrected = triage !== null && (field.value !== triage.field || urgency.value !== triage.urgency);

  return (
    <article class="request" aria-labelledby="request-title" data-request-id={request.id} data-status={request.status}>
      <header class="request-head">
        <button type="button" class="back-link" onClick={() => navigate("queue")}>
          ← <T k="staff.request.back" />
        </button>
        <h2 id="request-title">
          <T k="staff.request.title" />
          <UrgencyChip urgency={request.urgency} />
          <span class="chip status-chip" data-testid="request-status">
            <T k={`staff.status.${request.status}`} />
          </span>
        </h2>
        <p class="muted">
          {request.resident && <>{request.resident.displayName} · </>}
          {request.area} · <time dateTime={request.createdAt}>{ago(request.createdAt, lang)}</time>
          {request.preferredTimes && (
            <>
              {" "}
              · <T k="staff.request.preferredTimes" />: {request.preferredTimes}
            </>
          )}
        </p>
      </header>

      {request.needsAttention && (
        <p class="notice">
          <strong>
            <T k="staff.request.needsAttention" />
          </strong>{" "}
          {request.needsAttention}
        </p>
      )}

      <blockquote class="request-text" lang={triage?.language}>
        {request.text}
      </blockquote>

      {request.emergencyAdvice && (
        <section class="advice" aria-labelledby="advice-title">
          <h3 id="advice-title">
            <T k="staff.request.adviceShown" />
          </h3>
          <p lang={triage?.language}>{request.emergencyAdvice.message}</p>
          <ul>
            {request.emergencyAdvice.numbers.map((n) => (
              <li key={n.number}>
                <strong>{n.number}</strong> {n.label}
              </li>
            ))}
          </ul>
        </section>
      )}

      {triage && (
        <section class="triage" aria-labelledby="triage-title">
          <h3 id="triage-title">
            <T k="staff.request.triage" />
          </h3>
          <p>
            <T k="staff.request.language" />: <strong data-testid="detected-language">{triage.language}</strong> (
            {Math.round(triage.languageConfidence * 100)}%)
          </p>
          <div class="bars">
            {triage.fieldScores.map((s) => (
              <Bar key={s.field} label={<T k={`common.field.${s.field}`} />} value={s.score} color={FIELD_COLORS[s.field]} />
            ))}
            <Bar
              label={
                <>
                  <T k="staff.request.urgencyScore" /> (<T k={`common.urgency.${triage.urgency}`} />)
                </>
              }
              value={triage.urgencyScore}
              color={`var(--urgency-${triage.urgency.toLowerCase()})`}
            />
            {typeof triage.emergencyProbability === "number" && (
              <Bar label={<T k="staff.request.emergencyProbability" />} value={triage.emergencyProbability} color="var(--urgency-emergency)" />
            )}
            <Bar label={<T k="staff.request.confidence" />} value={triage.confidence} />
          </div>
          {triage.signals.length > 0 && (
            <>
              <h4>
                <T k="staff.request.signals" />
              </h4>
              <ul class="signals">
                {triage.signals.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </>
          )}
          <p class="muted small">
            {triage.model} · {dateTime(triage.createdAt, lang)}
          </p>
        </section>
      )}

      <Decision
        request={request}
        decidable={decidable}
        field={field.value}
        urgency={urgency.value}
        corrected={corrected}
        busy={busy.value}
        closeArmed={closeArmed.value}
        onField={(f) => (field.value = f)}
        onUrgency={(u) => (urgency.value = u)}
        note={note.value}
        onNote={(v) => (note.value = v)}
        noteRef={noteRef}
        onDecide={(d) => void decide(d)}
      />
      <ErrorNotice error={error.value} i18n={i18n} onDismiss={() => (error.value = null)} />
      {notice.value && <p class="notice ok">{notice.value}</p>}

      {request.similarReviewedRequests.length > 0 && (
        <section aria-labelledby="similar-title">
          <h3 id="similar-title">
            <T k="staff.request.similar" />
          </h3>
          <ul class="similar">
            {request.similarReviewedRequests.map((s) => (
              <li key={s.id}>
                <a href={`#/queue/${encodeURIComponent(s.id)}`}>
                  {s.field && <T k={`common.field.${s.field}`} />} / {s.urgency && <T k={`common.urgency.${s.urgency}`} />}
                </a>{" "}
                <span class="muted">{s.text.slice(0, 90)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <Candidates request={request} onSent={() => void load()} />
      <Offers request={request} />
      <Timeline request={request} />
    </article>
  );
}

function Decision(props: {
  request: RequestDetail;
  decidable: boolean;
  field: Field | null;
  urgency: Urgency | null;
  corrected: boolean;
  busy: boolean;
  closeArmed: boolean;
  note: string;
  noteRef: RefObject<HTMLTextAreaElement | null>;
  onField: (f: Field) => void;
  onUrgency: (u: Urgency) => void;
  onNote: (v: string) => void;
  onDecide: (d: "APPROVE" | "CLOSE") => void;
}) {
  const { request } = props;
  if (!props.decidable) {
    return request.review ? (
      <section class="decision done" aria-labelledby="decision-title">
        <h3 id="decision-title">
          <T k="staff.decision.reviewed" />
        </h3>
        <p data-testid="reviewed-as">
          <T k={`common.field.${request.review.field}`} /> / <T k={`common.urgency.${request.review.urgency}`} /> ·{" "}
          {request.review.reviewer} ·{" "}
          {request.review.agreedWithTriage ? <T k="staff.decision.agreed" /> : <T k="staff.decision.correctedTriage" />}
        </p>
        {request.review.note && <p class="muted">{request.review.note}</p>}
      </section>
    ) : null;
  }
  return (
    <section class="decision" aria-labelledby="decision-title">
      <h3 id="decision-title">
        <T k="staff.decision.title" />
      </h3>
      <fieldset>
        <legend>
          <T k="staff.decision.field" /> <kbd>1</kbd>–<kbd>5</kbd>
        </legend>
        <div class="choices">
          {FIELDS.map((f, i) => (
            <label key={f} class={props.field === f ? "choice checked" : "choice"}>
              <input type="radio" name="field" value={f} checked={props.field === f} onChange={() => props.onField(f)} />
              <kbd aria-hidden="true">{i + 1}</kbd> <T k={`common.field.${f}`} />
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>
          <T k="staff.decision.urgency" /> <kbd>e</kbd> <kbd>h</kbd> <kbd>n</kbd> <kbd>l</kbd>
        </legend>
        <div class="choices">
          {URGENCIES.map((u) => (
            <label key={u} class={props.urgency === u ? `choice checked urgency-${u.toLowerCase()}` : "choice"}>
              <input type="radio" name="urgency" value={u} checked={props.urgency === u} onChange={() => props.onUrgency(u)} />
              <kbd aria-hidden="true">{u[0]!.toLowerCase()}</kbd> <T k={`common.urgency.${u}`} />
            </label>
          ))}
        </div>
      </fieldset>
      <label for="review-note">
        <T k="staff.decision.note" /> <kbd>m</kbd>
      </label>
      <textarea
        id="review-note"
        ref={props.noteRef}
        rows={2}
        maxLength={2000}
        value={props.note}
        onInput={(e) => props.onNote((e.currentTarget).value)}
      />
      <div class="decision-actions">
        <button type="button" class="primary" disabled={props.busy} onClick={() => props.onDecide("APPROVE")} data-testid="approve">
          {props.corrected ? <T k="staff.decision.approveCorrected" /> : <T k="staff.decision.approve" />} <kbd>a</kbd>
        </button>
        <button type="button" class="danger" disabled={props.busy} onClick={() => props.onDecide("CLOSE")}>
          <T k="staff.decision.close" /> <kbd>x</kbd> <kbd>x</kbd>
        </button>
        {props.closeArmed && (
          <span role="status" class="muted">
            <T k="staff.decision.closeArmed" />
          </span>
        )}
      </div>
    </section>
  );
}

function Candidates(props: { request: RequestDetail; onSent: () => void }) {
  const chosen = useSignal<ReadonlySet<string>>(new Set());
  const error = useSignal<unknown>(null);
  const sent = useSignal<number | null>(null);
  const { request } = props;
  if (request.candidates.length === 0) return null;
  const offered = new Set(request.offers.map((o) => o.volunteer.id));
  const canSend = request.status === "OPEN" || (request.status === "IN_REVIEW" && request.needsAttention !== null);
  const send = async () => {
    error.value = null;
    try {
      const data = await client.request<SendResult>(ops.get("SendOffers"), {
        requestId: request.id,
        volunteerIds: [...chosen.value],
      });
      if (data.sendOffers.errors.length) {
        error.value = data.sendOffers.errors;
        return;
      }
      sent.value = chosen.value.size;
      chosen.value = new Set();
      props.onSent();
    } catch (e) {
      error.value = e;
    }
  };
  return (
    <section aria-labelledby="candidates-title">
      <h3 id="candidates-title">
        <T k="staff.candidates.title" /> <span class="muted">({request.field && <T k={`common.field.${request.field}`} />})</span>
      </h3>
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="candidates-title">
        <table class="data candidates" data-testid="candidates">
          <thead>
            <tr>
              {canSend && (
                <th scope="col">
                  <span class="visually-hidden">{t("staff.candidates.choose")}</span>
                </th>
              )}
              <th scope="col">
                <T k="staff.candidates.volunteer" />
              </th>
              <th scope="col">
                <T k="staff.candidates.score" />
              </th>
              <th scope="col">
                <T k="staff.candidates.breakdown" />
              </th>
            </tr>
          </thead>
          <tbody>
            {request.candidates.map((c) => {
              const id = `cand-${c.volunteer.id}`;
              return (
                <tr key={c.volunteer.id} data-volunteer-id={c.volunteer.id}>
                  {canSend && (
                    <td>
                      <input
                        type="checkbox"
                        id={id}
                        disabled={offered.has(c.volunteer.id)}
                        checked={chosen.value.has(c.volunteer.id)}
                        onChange={(e) => {
                          const next = new Set(chosen.value);
                          if ((e.currentTarget).checked) next.add(c.volunteer.id);
                          else next.delete(c.volunteer.id);
                          chosen.value = next;
                        }}
                      />
                    </td>
                  )}
                  <td>
                    <label for={canSend ? id : undefined} class="candidate-name">
                      {c.volunteer.displayName}
                    </label>
                    <div class="muted small">
                      {c.volunteer.area} · {c.volunteer.languages.join(", ")}
                      {c.volunteer.remoteOk && <> · <T k="staff.candidates.remote" /></>}
                      {offered.has(c.volunteer.id) && <> · <T k="staff.candidates.offered" /></>}
                    </div>
                  </td>
                  <td class="num">{c.score.toFixed(2)}</td>
                  <td class="breakdown">
                    <Bar label={<T k="staff.candidates.skill" />} value={c.breakdown.skill} />
                    <Bar label={<T k="staff.candidates.language" />} value={c.breakdown.language} />
                    <Bar label={<T k="staff.candidates.area" />} value={c.breakdown.area} />
                    <Bar label={<T k="staff.candidates.availability" />} value={c.breakdown.availability} />
                    <Bar label={<T k="staff.candidates.load" />} value={c.breakdown.load} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canSend ? (
        <p>
          <button type="button" class="primary" disabled={chosen.value.size === 0} onClick={() => void send()}>
            <T k="staff.candidates.send" p={{ count: chosen.value.size }} />
          </button>
        </p>
      ) : (
        <p class="muted small">
          <T k="staff.candidates.afterApproval" />
        </p>
      )}
      {sent.value !== null && (
        <p class="notice ok" role="status">
          <T k="staff.candidates.sent" p={{ count: sent.value }} />
        </p>
      )}
      <ErrorNotice error={error.value} i18n={i18n} onDismiss={() => (error.value = null)} />
    </section>
  );
}

function Offers(props: { request: RequestDetail }) {
  const lang = i18n.locale.value.lang;
  if (props.request.offers.length === 0) return null;
  return (
    <section aria-labelledby="offers-title">
      <h3 id="offers-title">
        <T k="staff.offers.title" />
      </h3>
      <ul class="offers">
        {props.request.offers.map((o) => (
          <li key={o.id}>
            <strong>{o.volunteer.displayName}</strong> · <T k={`staff.offerStatus.${o.status}`} /> ·{" "}
            <span class="muted">
              {dateTime(o.createdAt, lang)} → {dateTime(o.expiresAt, lang)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Timeline(props: { request: RequestDetail }) {
  const lang = i18n.locale.value.lang;
  return (
    <section aria-labelledby="timeline-title">
      <h3 id="timeline-title">
        <T k="staff.timeline.title" />
      </h3>
      <ol class="timeline" data-testid="timeline">
        {props.request.events.map((e, i) => (
          <li key={i}>
            <time dateTime={e.at}>{dateTime(e.at, lang)}</time> <T k={`staff.event.${e.kind}` as MessageKey} />
            {e.offer && <> · {e.offer.volunteer.displayName}</>}
          </li>
        ))}
      </ol>
    </section>
  );
}
