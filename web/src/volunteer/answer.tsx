// `/volunteer/answer?t=…`: the one-click link of an offer email. Opening it (a GET, which mail
// link scanners do too) only reads what the offer is; the explicit Accept or Decline button sends
// the answer (answerOfferByLink). The link is the credential for that one offer: no sign-in, and
// its token is never stored (the server sends Referrer-Policy: no-referrer, so it leaves no trace
// in other sites' logs either).
import { signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { dateTime } from "../shared/format";
import { GraphQLClient, type UserError } from "../shared/graphql";
import type { Session } from "../shared/session";
import { ErrorNotice, LanguageMenu } from "../shared/ui";
import { i18n, ops, T, t } from "./context";
import { AnswerButtons, RequestSummary } from "./summary";
import type { Field, OfferStatus, Urgency } from "./types";

type LinkState = "LIVE" | "EXPIRED" | "USED" | "ENDED";

interface LinkOffer {
  state: LinkState;
  status: OfferStatus;
  expiresAt: string;
  volunteerName: string;
  field: Field | null;
  urgency: Urgency | null;
  area: string | null;
  preferredTimes: string | null;
  text: string | null;
  language: string;
}

interface LinkPayload {
  offer: LinkOffer | null;
  errors: UserError[];
}

// No bearer token on this page: the link alone is the authority (and a signed-in tab's token,
// perhaps another person's, must not mix in).
const anonymous = { token: signal<string | null>(null) } as unknown as Session;
// The link's volunteer is not signed in: refusals come in the language this page shows.
const client = new GraphQLClient({ session: anonymous, language: () => i18n.locale.value.code });

export function AnswerPage() {
  const token = new URLSearchParams(window.location.search).get("t") ?? "";
  const offer = useSignal<LinkOffer | null>(null);
  const invalid = useSignal(false);
  const error = useSignal<unknown>(null);
  const busy = useSignal(false);
  const answered = useSignal<boolean | null>(null); // what this page just sent: accept or decline

  useEffect(() => {
    document.title = `${t("volunteer.answer.title")} · ${t("common.appName")}`;
  }, [i18n.locale.value]);

  useEffect(() => {
    if (!token) {
      invalid.value = true;
      return;
    }
    client
      .request<{ answerLink: LinkPayload }>(ops.get("AnswerLink"), { token })
      .then(async ({ answerLink }) => {
        if (!answerLink.offer) {
          invalid.value = true;
          return;
        }
        // The volunteer's own language (that of their emails), unless they chose one here.
        if (!i18n.savedCode() && i18n.locales.some((l) => l.code === answerLink.offer!.language)) {
          await i18n.use(answerLink.offer.language);
        }
        offer.value = answerLink.offer;
      })
      .catch((e: unknown) => (error.value = e));
  }, []);

  const answer = async (accept: boolean) => {
    busy.value = true;
    error.value = null;
    try {
      const { answerOfferByLink: result } = await client.request<{ answerOfferByLink: LinkPayload }>(
        ops.get("AnswerOfferByLink"),
        { token, accept },
      );
      if (result.offer) offer.value = result.offer;
      if (result.errors.length === 0) answered.value = accept;
      // A refusal with the link's state (expired, used, withdrawn) is told by that state below;
      // anything else (e.g. the volunteer's limit) by the server's words.
      else if (!result.offer || result.offer.state === "LIVE") error.value = result.errors;
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };

  const o = offer.value;
  return (
    <>
      <header class="page-header">
        <a class="skip-link" href="#main">
          <T k="common.skipToContent" />
        </a>
        <span class="brand">
          <T k="volunteer.title" />
        </span>
        <LanguageMenu i18n={i18n} />
      </header>
      <main id="main" class="page-body answer-page" data-state={o?.state ?? (invalid.value ? "INVALID" : "LOADING")}>
        <h1>
          <T k="volunteer.answer.title" />
        </h1>
        <ErrorNotice error={error.value} i18n={i18n} />
        <div role="status">
          {answered.value !== null && o && (
            <p class="notice ok" data-testid="answer-done">
              <T k={answered.value ? "volunteer.answer.accepted" : "volunteer.answer.declined"} />
            </p>
          )}
          {answered.value === null && o && o.state !== "LIVE" && (
            <p class="notice" data-testid="answer-state">
              {o.state === "USED"
                ? t(o.status === "ACCEPTED" ? "volunteer.answer.usedAccepted" : "volunteer.answer.usedDeclined")
                : o.state === "EXPIRED"
                  ? t("volunteer.answer.expired")
                  : t("volunteer.answer.ended")}
            </p>
          )}
          {invalid.value && (
            <p class="notice error" data-testid="answer-invalid">
              <T k="volunteer.answer.invalid" />
            </p>
          )}
        </div>
        {!o && !invalid.value && !error.value && (
          <p class="muted">
            <T k="common.loading" />
          </p>
        )}
        {o && o.state === "LIVE" && (
          <article class="card offer" aria-labelledby="answer-offer-title">
            <h2 id="answer-offer-title">
              <T k="volunteer.answer.for" p={{ name: o.volunteerName }} />
            </h2>
            <RequestSummary field={o.field} urgency={o.urgency} area={o.area} preferredTimes={o.preferredTimes} text={o.text}>
              <dt>
                <T k="volunteer.offer.expires" />
              </dt>
              <dd>
                <time dateTime={o.expiresAt}>{dateTime(o.expiresAt, i18n.locale.value.lang)}</time>
              </dd>
            </RequestSummary>
            <p class="muted small">
              <T k="volunteer.answer.explain" />
            </p>
            <AnswerButtons busy={busy.value} onAnswer={(accept) => void answer(accept)} />
          </article>
        )}
        <p>
          <a href="/volunteer">
            <T k="volunteer.answer.openPage" />
          </a>
        </p>
      </main>
    </>
  );
}
