import { useSignal, useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { dateTime } from "../shared/format";
import type { UserError } from "../shared/graphql";
import { ErrorNotice } from "../shared/ui";
import { client, i18n, inbox, ops, T, t } from "./context";
import { RequestSummary } from "./summary";
import type { AssignedRequest } from "./types";

interface MyRequests {
  requests: { edges: { node: AssignedRequest }[] };
}

export function Matches() {
  const requests = useSignal<AssignedRequest[] | null>(null);
  const error = useSignal<unknown>(null);
  const thanks = useSignal<{ paired: boolean; name: string } | null>(null);
  const load = async () => {
    try {
      const data = await client.request<MyRequests>(ops.get("VolunteerRequests"));
      requests.value = data.requests.edges.map((e) => e.node);
      error.value = null;
    } catch (e) {
      error.value = e;
    }
  };
  // Reload when an offer is accepted or a request changes, and after a reconnection.
  useSignalEffect(() => {
    void inbox.changes.value;
    void load();
  });
  useEffect(() => client.onResync(() => void load()), []);
  const list = requests.value;
  const open = list?.filter((r) => r.status === "MATCHED" || !r.viewerCompleted) ?? [];
  const done = list?.filter((r) => !open.includes(r)) ?? [];
  return (
    <section aria-labelledby="matches-title">
      <h1 id="matches-title">
        <T k="volunteer.matches.title" />
      </h1>
      <ErrorNotice error={error.value} i18n={i18n} />
      <div role="status">
        {thanks.value && (
          <p class="notice ok" data-testid="completed">
            <T k="volunteer.complete.thanks" />{" "}
            {thanks.value.paired && <T k="volunteer.complete.paired" p={{ name: thanks.value.name }} />}
          </p>
        )}
      </div>
      {list === null ? (
        <p class="muted">
          <T k="common.loading" />
        </p>
      ) : open.length === 0 ? (
        <p class="muted" data-testid="no-matches">
          <T k="volunteer.matches.none" />
        </p>
      ) : (
        <ul class="cards">
          {open.map((r) => (
            <li key={r.id}>
              <Match
                request={r}
                onChanged={(next, paired) => {
                  requests.value = list.map((x) => (x.id === next.id ? next : x));
                  thanks.value = { paired, name: next.resident?.displayName ?? "" };
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {done.length > 0 && (
        <>
          <h2>
            <T k="volunteer.matches.done" />
          </h2>
          <ul class="earlier-list">
            {done.map((r) => (
              <li key={r.id} data-request-id={r.id}>
                {r.field ? t(`common.field.${r.field}`) : ""} · {r.resident?.displayName ?? ""}{" "}
                <span class="muted">{dateTime(r.updatedAt, i18n.locale.value.lang)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Match(props: { request: AssignedRequest; onChanged: (r: AssignedRequest, paired: boolean) => void }) {
  const r = props.request;
  const headingId = `match-${r.id}-title`;
  return (
    <article class="card match" data-request-id={r.id} aria-labelledby={headingId}>
      <h2 id={headingId}>
        <T k="volunteer.match.heading" p={{ name: r.resident?.displayName ?? "—" }} />
      </h2>
      <RequestSummary field={r.field} urgency={r.urgency} area={r.area} preferredTimes={r.preferredTimes} text={r.text}>
        {r.resident && (
          <>
            <dt>
              <T k="volunteer.match.languages" />
            </dt>
            <dd>{r.resident.languages.join(", ")}</dd>
            <dt>
              <T k="volunteer.match.contact" />
            </dt>
            <dd class="contact" data-testid="resident-contact">
              {r.resident.contact ?? "—"}
            </dd>
          </>
        )}
      </RequestSummary>
      {r.status === "COMPLETED" && (
        <p class="notice ok">
          <T k="volunteer.match.residentCompleted" />
        </p>
      )}
      <CompleteForm request={r} onDone={props.onChanged} />
    </article>
  );
}

function CompleteForm(props: { request: AssignedRequest; onDone: (r: AssignedRequest, paired: boolean) => void }) {
  const rating = useSignal<number | null>(null);
  const comment = useSignal("");
  const pair = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<unknown>(null);
  const id = props.request.id;
  const submit = async () => {
    busy.value = true;
    error.value = null;
    try {
      const data = await client.request<{
        completeRequest: { request: AssignedRequest | null; longTermPair: { id: string } | null; errors: UserError[] };
      }>(ops.get("VolunteerComplete"), {
        input: { requestId: id, rating: rating.value, comment: comment.value.trim() || null, wantsLongTermPair: pair.value },
      });
      const { request, longTermPair, errors } = data.completeRequest;
      if (errors.length) error.value = errors;
      else if (request) props.onDone(request, longTermPair !== null);
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };
  return (
    <form
      class="complete"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3>
        <T k="volunteer.complete.title" />
      </h3>
      <fieldset class="rating">
        <legend>
          <T k="volunteer.complete.rating" />
        </legend>
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} class="rating-option">
            <input
              type="radio"
              name={`rating-${id}`}
              value={n}
              checked={rating.value === n}
              onChange={() => (rating.value = n)}
            />
            <span>{t("volunteer.complete.stars", { n })}</span>
          </label>
        ))}
      </fieldset>
      <label for={`comment-${id}`}>
        <T k="volunteer.complete.comment" />
      </label>
      <textarea
        id={`comment-${id}`}
        rows={2}
        maxLength={2000}
        value={comment.value}
        onInput={(e) => (comment.value = e.currentTarget.value)}
      />
      <label class="check">
        <input type="checkbox" checked={pair.value} onChange={(e) => (pair.value = e.currentTarget.checked)} />
        <span>
          <T k="volunteer.complete.longTermPair" />
        </span>
      </label>
      <p class="muted small">
        <T k="volunteer.complete.longTermPairHint" />
      </p>
      <button type="submit" class="primary" disabled={busy.value} data-testid="complete">
        <T k="volunteer.complete.submit" />
      </button>
      <ErrorNotice error={error.value} i18n={i18n} />
    </form>
  );
}
