// Volunteer vetting: those waiting first; verify after meeting them, or withdraw the vetting
// (which withdraws their pending offers). Deactivation is the volunteer's own switch in the
// API today (updateVolunteer.active), so it is shown, not set, here.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { ErrorNotice } from "../shared/ui";
import { client, i18n, t, T } from "./context";
import { ops } from "./ops";
import type { UserError, Volunteer } from "./types";

interface VolunteersData {
  volunteers: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: Volunteer }[];
  };
}
interface SetVerifiedData {
  setVolunteerVerified: { volunteer: { id: string; verified: boolean } | null; errors: UserError[] };
}

type Filter = "pending" | "vetted" | "all";
const FILTERS: Filter[] = ["pending", "vetted", "all"];
const VERIFIED: Record<Filter, boolean | null> = { pending: false, vetted: true, all: null };

export function Volunteers() {
  const filter = useSignal<Filter>("pending");
  const list = useSignal<Volunteer[]>([]);
  const total = useSignal(0);
  const cursor = useSignal<string | null>(null);
  const more = useSignal(false);
  const error = useSignal<unknown>(null);
  const loading = useSignal(true);

  const load = async (append: boolean) => {
    loading.value = true;
    try {
      const data = await client.request<VolunteersData>(ops.get("Volunteers"), {
        verified: VERIFIED[filter.value],
        first: 50,
        after: append ? cursor.value : null,
      });
      const nodes = data.volunteers.edges.map((e) => e.node);
      list.value = append ? [...list.value, ...nodes] : nodes;
      total.value = data.volunteers.totalCount;
      cursor.value = data.volunteers.pageInfo.endCursor;
      more.value = data.volunteers.pageInfo.hasNextPage;
      error.value = null;
    } catch (e) {
      error.value = e;
    } finally {
      loading.value = false;
    }
  };

  useEffect(() => void load(false), [filter.value]);

  const setVerified = async (volunteer: Volunteer, verified: boolean) => {
    if (!verified && !window.confirm(t("staff.volunteers.confirmUnvet", { name: volunteer.displayName }))) return;
    try {
      const data = await client.request<SetVerifiedData>(ops.get("SetVolunteerVerified"), {
        volunteerId: volunteer.id,
        verified,
      });
      if (data.setVolunteerVerified.errors.length) {
        error.value = data.setVolunteerVerified.errors;
        return;
      }
      list.value = list.value.map((v) => (v.id === volunteer.id ? { ...v, verified } : v));
    } catch (e) {
      error.value = e;
    }
  };

  return (
    <main id="main" class="volunteers">
      <h1>
        <T k="staff.volunteers.title" />
      </h1>
      <div role="group" aria-label={t("staff.volunteers.filter")} class="range">
        {FILTERS.map((f) => (
          <button key={f} type="button" aria-pressed={filter.value === f} onClick={() => (filter.value = f)}>
            <T k={`staff.volunteers.${f}`} />
          </button>
        ))}
        <span class="muted">{t("staff.volunteers.count", { count: total.value })}</span>
      </div>
      <ErrorNotice error={error.value} i18n={i18n} onDismiss={() => (error.value = null)} />
      <ul class="volunteer-list">
        {list.value.map((v) => (
          <li key={v.id} class="volunteer-card" data-volunteer-id={v.id}>
            <h2>
              {v.displayName}{" "}
              <span class={v.verified ? "chip vetted" : "chip pending"}>
                {v.verified ? <T k="staff.volunteers.vettedChip" /> : <T k="staff.volunteers.pendingChip" />}
              </span>
              {!v.active && (
                <span class="chip">
                  <T k="staff.volunteers.paused" />
                </span>
              )}
            </h2>
            <p class="muted small">
              {v.area} · {v.languages.join(", ")} · {v.fields.map((f) => t(`common.field.${f}`)).join(", ")}
              {v.remoteOk && <> · {t("staff.candidates.remote")}</>}
            </p>
            <p>{v.skills}</p>
            <p class="small">
              <T k="staff.volunteers.availability" />: {v.availability || "—"} · <T k="staff.volunteers.contact" />: {v.contact}
            </p>
            {v.verified ? (
              <button type="button" class="danger" onClick={() => void setVerified(v, false)}>
                <T k="staff.volunteers.unvet" />
              </button>
            ) : (
              <button type="button" class="primary" onClick={() => void setVerified(v, true)}>
                <T k="staff.volunteers.vet" />
              </button>
            )}
          </li>
        ))}
      </ul>
      {!loading.value && list.value.length === 0 && (
        <p class="muted">
          <T k="staff.volunteers.none" />
        </p>
      )}
      {more.value && (
        <button type="button" onClick={() => void load(true)} disabled={loading.value}>
          <T k="staff.volunteers.more" />
        </button>
      )}
    </main>
  );
}
