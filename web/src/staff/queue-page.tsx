// The review queue (a virtualised list: only the rows in view are in the DOM) beside the
// selected request. Keyboard: j/k next/previous, the rest in request.tsx; "?" lists them.
import { useSignal } from "@preact/signals";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { ago } from "../shared/format";
import { navigate } from "../shared/router";
import { ErrorNotice } from "../shared/ui";
import { i18n, queue, t, T } from "./context";
import { RequestView } from "./request";
import type { QueueItem } from "./types";

export const ROW_HEIGHT = 72;
const OVERSCAN = 6;
let markedInteractive = false;

export function QueuePage(props: { selectedId: string | null }) {
  const items = queue.sorted.value;
  const selectedId = props.selectedId;
  const selectedIndex = selectedId ? items.findIndex((i) => i.id === selectedId) : -1;
  const lastIndex = useRef(0);
  if (selectedIndex >= 0) lastIndex.current = selectedIndex;

  // The first time the queue is on screen and usable: what `python -m bench web` measures.
  useEffect(() => {
    if (!markedInteractive && (items.length > 0 || !queue.loading.value)) {
      markedInteractive = true;
      performance.mark("queue-interactive");
    }
  });

  // Nothing chosen yet (or the chosen one left): open the first, the next in line after a decision.
  useEffect(() => {
    if (items.length === 0) return;
    if (!selectedId && window.matchMedia("(min-width: 900px)").matches) {
      navigate("queue", items[0]!.id);
    }
  }, [selectedId, items.length > 0]);

  const move = (delta: number) => {
    if (items.length === 0) return;
    const base = selectedIndex >= 0 ? selectedIndex : Math.min(lastIndex.current, items.length - 1) - (delta > 0 ? 1 : 0);
    const next = Math.max(0, Math.min(items.length - 1, base + delta));
    navigate("queue", items[next]!.id);
  };

  /** After a decision: the request that now holds its place in the queue. */
  const advance = (decidedId: string) => {
    const rest = queue.sorted.value.filter((i) => i.id !== decidedId);
    const next = rest[Math.min(lastIndex.current, rest.length - 1)];
    if (next) navigate("queue", next.id);
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === "j") move(1);
      else if (event.key === "k") move(-1);
      else return;
      event.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  });

  return (
    <div class={selectedId ? "queue-page has-selection" : "queue-page"}>
      <section class="queue-panel" aria-labelledby="queue-title">
        <div class="queue-head">
          <h1 id="queue-title">
            <T k="staff.queue.title" />
          </h1>
          <span class="muted" aria-live="polite">
            {queue.loading.value && items.length === 0 ? t("common.loading") : t("staff.queue.count", { count: queue.total.value })}
          </span>
        </div>
        <ErrorNotice error={queue.error.value} i18n={i18n} />
        {!queue.loading.value && items.length === 0 && (
          <p class="queue-empty">
            <T k="staff.queue.empty" />
          </p>
        )}
        <QueueList items={items} selectedIndex={selectedIndex} />
        <Recent />
        <p class="muted keys-hint">
          <T k="staff.keys.hint" />
        </p>
      </section>
      <main id="main" class="request-panel" tabIndex={-1}>
        {selectedId ? (
          <RequestView key={selectedId} id={selectedId} onDecided={advance} />
        ) : (
          <p class="muted">
            <T k="staff.request.none" />
          </p>
        )}
      </main>
    </div>
  );
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

function QueueList(props: { items: QueueItem[]; selectedIndex: number }) {
  const { items, selectedIndex } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const scrollTop = useSignal(0);
  const height = useSignal(600);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      height.value = el.clientHeight;
    });
    observer.observe(el);
    height.value = el.clientHeight;
    return () => observer.disconnect();
  }, []);

  // Keep the selected row in view (j/k, or a link from elsewhere).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    scrollTop.value = el.scrollTop;
  }, [selectedIndex]);

  const first = Math.max(0, Math.floor(scrollTop.value / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop.value + height.value) / ROW_HEIGHT) + OVERSCAN);
  const rows = items.slice(first, last);
  const lang = i18n.locale.value.lang;
  const now = Date.now();

  return (
    <div
      class="queue-scroller"
      ref={scroller}
      onScroll={(e) => {
        scrollTop.value = (e.currentTarget).scrollTop;
      }}
      data-testid="queue-scroller"
    >
      <ol
        class="queue-list"
        aria-label={t("staff.queue.title")}
        style={{ height: `${items.length * ROW_HEIGHT}px` }}
      >
        {rows.map((item, offset) => {
          const index = first + offset;
          const selected = index === selectedIndex;
          return (
            <li
              key={item.id}
              class={selected ? "queue-row selected" : "queue-row"}
              style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
              data-request-id={item.id}
              aria-setsize={items.length}
              aria-posinset={index + 1}
            >
              <a href={`#/queue/${encodeURIComponent(item.id)}`} aria-current={selected ? "true" : undefined}>
                <span class="queue-row-top">
                  <UrgencyChip urgency={item.urgency} />
                  {item.field && (
                    <span class="queue-field">
                      <T k={`common.field.${item.field}`} />
                    </span>
                  )}
                  {item.triage && (
                    <span class="queue-lang" title={t("staff.request.language")}>
                      {item.triage.language}
                    </span>
                  )}
                  {typeof item.triage?.emergencyProbability === "number" && (
                    <span class="queue-prob" title={t("staff.request.emergencyProbability")}>
                      {Math.round(item.triage.emergencyProbability * 100)}%
                    </span>
                  )}
                  <time class="queue-age" dateTime={item.createdAt}>
                    {ago(item.createdAt, lang, now)}
                  </time>
                </span>
                <span class="queue-text" lang={item.triage?.language}>
                  {item.needsAttention && <span class="queue-attention">⚑ </span>}
                  {item.text}
                </span>
              </a>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

export function UrgencyChip(props: { urgency: QueueItem["urgency"] }) {
  if (!props.urgency) return <span class="chip urgency-none">—</span>;
  return (
    <span class={`chip urgency-${props.urgency.toLowerCase()}`}>
      <T k={`common.urgency.${props.urgency}`} />
    </span>
  );
}

function Recent() {
  const recent = queue.recent.value;
  if (recent.length === 0) return null;
  return (
    <section class="recent" aria-labelledby="recent-title">
      <h2 id="recent-title">
        <T k="staff.queue.recent" />
      </h2>
      <ul>
        {recent.map((r) => (
          <li key={r.id}>
            <a href={`#/queue/${encodeURIComponent(r.id)}`} data-recent-id={r.id}>
              {r.decision === "APPROVE" ? <T k="staff.decision.approved" /> : <T k="staff.decision.closed" />}
              {r.field && (
                <>
                  {" "}
                  · <T k={`common.field.${r.field}`} />
                </>
              )}
              {r.urgency && (
                <>
                  {" "}
                  · <T k={`common.urgency.${r.urgency}`} />
                </>
              )}
            </a>{" "}
            <span class="muted">{r.text.slice(0, 40)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
