import { useSignal } from "@preact/signals";
import { ErrorNotice } from "../shared/ui";
import { ago, dateTime } from "../shared/format";
import type { ApiError, UserError } from "../shared/graphql";
import { i18n, inbox, T, t } from "./context";
import { AnswerButtons, RequestSummary } from "./summary";
import type { OfferItem, OfferStatus } from "./types";

export function Offers() {
  const pending = inbox.pending.value;
  const earlier = inbox.offers.value.filter((o) => !pending.includes(o));
  const arrived = inbox.arrived.value;
  return (
    <section aria-labelledby="offers-title">
      <h1 id="offers-title">
        <T k="volunteer.offers.title" />
      </h1>
      <p class="visually-hidden" role="status" aria-live="polite">
        {arrived && arrived.status === "PENDING" && arrived.request.field
          ? t("volunteer.offers.arrived", { field: t(`common.field.${arrived.request.field}`), area: arrived.request.area })
          : ""}
      </p>
      <ErrorNotice error={inbox.error.value} i18n={i18n} onDismiss={() => (inbox.error.value = null)} />
      {!inbox.loaded.value ? (
        <p class="muted">
          <T k="common.loading" />
        </p>
      ) : pending.length === 0 ? (
        <p class="muted" data-testid="no-offers">
          <T k="volunteer.offers.none" />
        </p>
      ) : (
        <ul class="cards">
          {pending.map((offer) => (
            <li key={offer.id}>
              <PendingOffer offer={offer} />
            </li>
          ))}
        </ul>
      )}
      {earlier.length > 0 && (
        <details class="earlier">
          <summary>
            <T k="volunteer.offers.earlier" p={{ count: earlier.length }} />
          </summary>
          <ul class="earlier-list">
            {earlier.map((offer) => (
              <li key={offer.id} data-offer-id={offer.id} data-status={shownStatus(offer)}>
                <span class={`status status-${shownStatus(offer).toLowerCase()}`}>
                  {t(`volunteer.offer.status.${shownStatus(offer)}`)}
                </span>{" "}
                {offer.request.field ? t(`common.field.${offer.request.field}`) : ""}{" "}
                <span class="muted">{dateTime(offer.createdAt, i18n.locale.value.lang)}</span>
                {offer.status === "ACCEPTED" && (
                  <>
                    {" "}
                    <a href="#/matches">
                      <T k="volunteer.offers.seeMatch" />
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

/** A pending offer past its time is expired here at once (the server says so a little later). */
function shownStatus(offer: OfferItem): OfferStatus {
  return offer.status === "PENDING" && Date.parse(offer.expiresAt) <= inbox.now.value ? "EXPIRED" : offer.status;
}

function PendingOffer(props: { offer: OfferItem }) {
  const { offer } = props;
  const busy = useSignal(false);
  const error = useSignal<UserError[] | ApiError | null>(null);
  const lang = i18n.locale.value.lang;
  const headingId = `offer-${offer.id}-title`;
  const answer = async (accept: boolean) => {
    busy.value = true;
    error.value = null;
    const result = await inbox.respond(offer.id, accept);
    busy.value = false;
    if (!Array.isArray(result) || result.length) error.value = result;
  };
  return (
    <article class="card offer" data-offer-id={offer.id} aria-labelledby={headingId}>
      <h2 id={headingId}>
        <T k="volunteer.offer.heading" p={{ area: offer.request.area || "—" }} />
      </h2>
      <RequestSummary
        field={offer.request.field}
        urgency={offer.request.urgency}
        area={offer.request.area}
        preferredTimes={offer.request.preferredTimes}
        text={offer.request.text}
      >
        <dt>
          <T k="volunteer.offer.expires" />
        </dt>
        <dd>
          <time dateTime={offer.expiresAt}>{dateTime(offer.expiresAt, lang)}</time>{" "}
          <span class="muted">({ago(offer.expiresAt, lang, inbox.now.value)})</span>
        </dd>
      </RequestSummary>
      <p class="muted small">
        <T k="volunteer.offer.privacy" />
      </p>
      <AnswerButtons busy={busy.value} onAnswer={(accept) => void answer(accept)} />
      <ErrorNotice error={error.value} i18n={i18n} onDismiss={() => (error.value = null)} />
    </article>
  );
}
