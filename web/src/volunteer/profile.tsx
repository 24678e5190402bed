import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { UserError } from "../shared/graphql";
import type { MessageKey } from "../shared/i18n";
import { ErrorNotice } from "../shared/ui";
import { client, i18n, ops, T, t } from "./context";
import { FIELDS, type Field, type Profile } from "./types";

interface Draft {
  skills: string;
  fields: Field[];
  area: string;
  languages: string;
  availability: string;
  remoteOk: boolean;
  maxActiveRequests: number;
  active: boolean;
}

function draftOf(p: Profile): Draft {
  return {
    skills: p.skills,
    fields: p.fields,
    area: p.area,
    languages: p.languages.join(", "),
    availability: p.availability,
    remoteOk: p.remoteOk,
    maxActiveRequests: p.maxActiveRequests,
    active: p.active,
  };
}

export function ProfilePage(props: { onSaved: (p: Profile) => void }) {
  const draft = useSignal<Draft | null>(null);
  const error = useSignal<unknown>(null);
  const errors = useSignal<UserError[]>([]);
  const saved = useSignal(false);
  const busy = useSignal(false);
  useEffect(() => {
    client
      .request<{ viewer: { volunteer: Profile | null } }>(ops.get("MyProfile"))
      .then((data) => {
        if (data.viewer.volunteer) draft.value = draftOf(data.viewer.volunteer);
      })
      .catch((e: unknown) => (error.value = e));
  }, []);
  const d = draft.value;
  const set = (patch: Partial<Draft>) => {
    if (draft.value) draft.value = { ...draft.value, ...patch };
    saved.value = false;
  };
  // A refusal names its input field: shown next to it, and the field is marked invalid.
  const fieldError = (name: string) => errors.value.find((e) => e.path[e.path.length - 1] === name);
  const describe = (name: string, hint?: string) => {
    const ids = [hint, fieldError(name) ? `error-${name}` : undefined].filter(Boolean);
    return ids.length ? ids.join(" ") : undefined;
  };
  const ErrorFor = (p: { name: string }) => {
    const found = fieldError(p.name);
    return found ? (
      <p class="field-error" id={`error-${p.name}`}>
        {found.message}
      </p>
    ) : null;
  };
  const save = async (d: Draft) => {
    busy.value = true;
    error.value = null;
    errors.value = [];
    saved.value = false;
    try {
      const input = {
        skills: d.skills,
        fields: d.fields,
        area: d.area.trim(),
        languages: d.languages
          .split(/[,、\s]+/)
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean),
        availability: d.availability,
        remoteOk: d.remoteOk,
        maxActiveRequests: d.maxActiveRequests,
        active: d.active,
      };
      const data = await client.request<{ updateVolunteer: { volunteer: Profile | null; errors: UserError[] } }>(
        ops.get("UpdateVolunteer"),
        { input },
      );
      const { volunteer, errors: refused } = data.updateVolunteer;
      if (refused.length) {
        errors.value = refused;
        error.value = refused;
      } else if (volunteer) {
        draft.value = draftOf(volunteer);
        saved.value = true;
        props.onSaved(volunteer);
      }
    } catch (e) {
      error.value = e;
    } finally {
      busy.value = false;
    }
  };
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">
        <T k="volunteer.profile.title" />
      </h1>
      <ErrorNotice error={error.value} i18n={i18n} />
      {!d ? (
        <p class="muted">
          <T k="common.loading" />
        </p>
      ) : (
        <form
          class="profile"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void save(d);
          }}
        >
          <label for="skills">
            <T k="volunteer.profile.skills" />
          </label>
          <textarea
            id="skills"
            rows={4}
            maxLength={2000}
            value={d.skills}
            aria-invalid={fieldError("skills") ? true : undefined}
            aria-describedby={describe("skills")}
            onInput={(e) => set({ skills: e.currentTarget.value })}
          />
          <ErrorFor name="skills" />

          <fieldset aria-describedby={describe("fields")}>
            <legend>
              <T k="volunteer.profile.fields" />
            </legend>
            {FIELDS.map((f) => (
              <label key={f} class="check">
                <input
                  type="checkbox"
                  name="fields"
                  value={f}
                  checked={d.fields.includes(f)}
                  onChange={(e) =>
                    set({ fields: e.currentTarget.checked ? [...d.fields, f] : d.fields.filter((x) => x !== f) })
                  }
                />
                <span>{t(`common.field.${f}`)}</span>
              </label>
            ))}
          </fieldset>
          <ErrorFor name="fields" />

          <HintedInput
            name="area"
            label="volunteer.profile.area"
            hint="volunteer.profile.areaHint"
            value={d.area}
            maxLength={100}
            error={fieldError("area")}
            onInput={(value) => set({ area: value })}
          />

          <HintedInput
            name="languages"
            label="volunteer.profile.languages"
            hint="volunteer.profile.languagesHint"
            value={d.languages}
            plain
            error={fieldError("languages")}
            onInput={(value) => set({ languages: value })}
          />

          <HintedInput
            name="availability"
            label="volunteer.profile.availability"
            hint="volunteer.profile.availabilityHint"
            value={d.availability}
            maxLength={500}
            error={fieldError("availability")}
            onInput={(value) => set({ availability: value })}
          />

          <label class="check">
            <input type="checkbox" id="remote" checked={d.remoteOk} onChange={(e) => set({ remoteOk: e.currentTarget.checked })} />
            <span>
              <T k="volunteer.profile.remoteOk" />
            </span>
          </label>

          <label for="max-active">
            <T k="volunteer.profile.maxActive" />
          </label>
          <input
            id="max-active"
            type="number"
            min={1}
            max={20}
            value={d.maxActiveRequests}
            aria-invalid={fieldError("maxActiveRequests") ? true : undefined}
            aria-describedby={describe("maxActiveRequests")}
            onInput={(e) => set({ maxActiveRequests: Number(e.currentTarget.value) })}
          />
          <ErrorFor name="maxActiveRequests" />

          <label class="check">
            <input type="checkbox" id="active" checked={d.active} onChange={(e) => set({ active: e.currentTarget.checked })} />
            <span>
              <T k="volunteer.profile.active" />
            </span>
          </label>

          <div class="actions">
            <button type="submit" class="primary" disabled={busy.value} data-testid="save-profile">
              <T k="volunteer.profile.save" />
            </button>
          </div>
          <div role="status">
            {saved.value && (
              <p class="notice ok" data-testid="profile-saved">
                <T k="volunteer.profile.saved" />
              </p>
            )}
          </div>
        </form>
      )}
    </section>
  );
}

/** A one-line text input with its hint above and the server's refusal below (`plain`: no
 * autocomplete or spellcheck, for lists of codes). */
function HintedInput(props: {
  name: string;
  label: MessageKey;
  hint: MessageKey;
  value: string;
  maxLength?: number;
  plain?: boolean;
  error: UserError | undefined;
  onInput: (value: string) => void;
}) {
  const { name } = props;
  return (
    <>
      <label for={name}>
        <T k={props.label} />
      </label>
      <p class="muted small" id={`${name}-hint`}>
        <T k={props.hint} />
      </p>
      <input
        id={name}
        type="text"
        maxLength={props.maxLength}
        value={props.value}
        autoComplete={props.plain ? "off" : undefined}
        spellcheck={props.plain ? false : undefined}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${name}-hint error-${name}` : `${name}-hint`}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.error && (
        <p class="field-error" id={`error-${name}`}>
          {props.error.message}
        </p>
      )}
    </>
  );
}
