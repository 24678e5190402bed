// EMERGENCY: the advice and the numbers fill the screen the moment the triage says so, each
// number a tap-to-call link. A modal <dialog>: focus goes into it, the page behind is inert,
// and it stays until the resident closes it (the request's page shows the advice too).
import { useEffect, useRef } from "preact/hooks";
import { requests, T } from "./context";
import type { Advice } from "./types";

/** A dialable tel: URI ("#" must be escaped in a URI: #7119 becomes %237119). */
export function telHref(number: string): string {
  return "tel:" + encodeURIComponent(number.replace(/[^\d#*+]/g, ""));
}

export function AdviceBlock(props: { advice: Advice; language: string | null }) {
  const lang = props.language && props.language !== "und" ? props.language : undefined;
  return (
    <div class="advice" lang={lang}>
      <p class="advice-message" data-testid="advice-message">
        {props.advice.message}
      </p>
      <ul class="call-list">
        {props.advice.numbers.map((n) => (
          <li key={n.number}>
            <a class="call" href={telHref(n.number)}>
              <span class="call-number">{n.number}</span>
              <span class="call-label">{n.label}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function EmergencyScreen() {
  const id = requests.emergency.value;
  const request = id ? requests.get(id) : undefined;
  const dialog = useRef<HTMLDialogElement>(null);
  const open = Boolean(request?.emergencyAdvice);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      // The first number (life first: 119) takes the focus: Enter calls it.
      element.querySelector<HTMLElement>("a.call")?.focus();
    }
    if (!open && element.open) element.close();
  }, [open, id]);
  return (
    <dialog
      ref={dialog}
      class="emergency-screen"
      aria-labelledby="emergency-title"
      data-testid="emergency"
      onClose={() => {
        if (id) requests.acknowledge(id);
      }}
    >
      {request?.emergencyAdvice && (
        <div class="emergency-inner">
          <h1 id="emergency-title">
            <T k="resident.emergency.title" />
          </h1>
          <p class="emergency-lead">
            <T k="resident.emergency.lead" />
          </p>
          <AdviceBlock advice={request.emergencyAdvice} language={request.triage?.language ?? null} />
          <p>
            <T k="resident.emergency.staff" />
          </p>
          <form method="dialog">
            <button type="submit" class="close-emergency">
              <T k="resident.emergency.close" />
            </button>
          </form>
        </div>
      )}
    </dialog>
  );
}
