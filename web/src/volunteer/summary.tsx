// What a volunteer may see of a request (field, urgency, area, times, the resident's words),
// shared by offers, matches and the answer page.
import type { ComponentChildren } from "preact";
import { T, t } from "./context";
import type { Field, Urgency } from "./types";

export function RequestSummary(props: {
  field: Field | null;
  urgency: Urgency | null;
  area: string | null;
  preferredTimes: string | null;
  text: string | null;
  children?: ComponentChildren;
}) {
  return (
    <>
      <p class="chips">
        {props.field && <span class={`chip field-${props.field.toLowerCase()}`}>{t(`common.field.${props.field}`)}</span>}
        {props.urgency && (
          <span class={`chip urgency-${props.urgency.toLowerCase()}`}>{t(`common.urgency.${props.urgency}`)}</span>
        )}
      </p>
      {props.text && <blockquote class="request-text">{props.text}</blockquote>}
      <dl class="facts">
        {props.area && (
          <>
            <dt>
              <T k="volunteer.request.area" />
            </dt>
            <dd>{props.area}</dd>
          </>
        )}
        {props.preferredTimes && (
          <>
            <dt>
              <T k="volunteer.request.preferredTimes" />
            </dt>
            <dd>{props.preferredTimes}</dd>
          </>
        )}
        {props.children}
      </dl>
    </>
  );
}

/** Accept or decline an offer (the offer list and the answer page from an email link). */
export function AnswerButtons(props: { busy: boolean; onAnswer: (accept: boolean) => void }) {
  return (
    <div class="actions">
      <button type="button" class="primary" disabled={props.busy} onClick={() => props.onAnswer(true)} data-testid="accept">
        <T k="volunteer.offer.accept" />
      </button>
      <button type="button" disabled={props.busy} onClick={() => props.onAnswer(false)} data-testid="decline">
        <T k="volunteer.offer.decline" />
      </button>
    </div>
  );
}
