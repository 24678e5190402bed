// Small building blocks every page uses. They take the page's I18n so they speak its language.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { ApiError, type GraphQLClient, type UserError } from "./graphql";
import type { I18n, MessageKey } from "./i18n";
import type { Session } from "./session";
import { fetchViewer, type Role } from "./viewer";

/** A failure the person must see: role=alert, the server's message and code. */
export function ErrorNotice(props: { error: unknown; i18n: I18n; onDismiss?: () => void }) {
  const { error, i18n } = props;
  if (!error) return null;
  let message: string;
  let code = "";
  if (error instanceof ApiError) {
    message = error.code === "NETWORK" ? i18n.t("common.error.network") : error.message;
    code = error.code;
  } else if (Array.isArray(error)) {
    message = (error as UserError[]).map((e) => e.message).join(" · ");
    code = (error as UserError[])[0]?.code ?? "";
  } else {
    message = error instanceof Error ? error.message : JSON.stringify(error);
  }
  return (
    <div class="notice error" role="alert">
      <strong>{i18n.t("common.error.title")}</strong> {message}
      {code && <span class="muted"> ({code})</span>}
      {props.onDismiss && (
        <button type="button" class="dismiss" onClick={props.onDismiss} aria-label={i18n.t("common.dismiss")}>
          ×
        </button>
      )}
    </div>
  );
}

/** The live connection's state, announced politely when it changes. */
export function LiveStatus(props: { client: GraphQLClient; i18n: I18n }) {
  const status = props.client.status.value;
  const label = {
    idle: props.i18n.t("common.live.idle"),
    connecting: props.i18n.t("common.live.connecting"),
    live: props.i18n.t("common.live.live"),
    reconnecting: props.i18n.t("common.live.reconnecting"),
    closed: props.i18n.t("common.live.closed"),
  }[status];
  return (
    <span class="live-status" data-status={status} role="status">
      {label}
    </span>
  );
}

export function LanguageMenu(props: { i18n: I18n }) {
  const { i18n } = props;
  return (
    <label class="language-menu">
      <span class="visually-hidden">{i18n.t("common.language")}</span>
      <select
        value={i18n.locale.value.code}
        onChange={(e) => void i18n.use((e.currentTarget).value, true)}
      >
        {i18n.locales.map((l) => (
          <option key={l.code} value={l.code} lang={l.lang}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Sign in by pasting a token; `check` asks the server whether it is valid for this page. */
export function SignIn(props: {
  i18n: I18n;
  title: ComponentChildren;
  hint: ComponentChildren;
  onToken: (token: string) => Promise<void>;
}) {
  const error = useSignal<unknown>(null);
  const busy = useSignal(false);
  const { i18n } = props;
  return (
    <main class="sign-in" id="main">
      <h1>{props.title}</h1>
      <p class="muted">{props.hint}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const input = (event.currentTarget).elements.namedItem("token") as HTMLInputElement;
          if (!input.value.trim()) return;
          busy.value = true;
          error.value = null;
          props
            .onToken(input.value)
            .catch((e: unknown) => {
              error.value = e;
            })
            .finally(() => {
              busy.value = false;
            });
        }}
      >
        <label for="token">{i18n.t("common.signIn.token")}</label>
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} required />
        <button class="primary" type="submit" disabled={busy.value}>
          {i18n.t("common.signIn.submit")}
        </button>
      </form>
      <ErrorNotice error={error.value} i18n={i18n} />
    </main>
  );
}

/** Sign in on a page for one role: a token of another role is refused and forgotten. */
export function RoleSignIn(props: {
  i18n: I18n;
  client: GraphQLClient;
  session: Session;
  role: Role;
  title: ComponentChildren;
  hint: ComponentChildren;
}) {
  const { i18n, client, session } = props;
  return (
    <SignIn
      i18n={i18n}
      title={props.title}
      hint={props.hint}
      onToken={async (value) => {
        session.signIn(value);
        try {
          const viewer = await fetchViewer(client);
          if (viewer.role !== props.role) throw new ApiError(i18n.t("common.signIn.wrongRole"), "FORBIDDEN");
        } catch (error) {
          session.signOut();
          throw error;
        }
      }}
    />
  );
}

/** The end of every page's header: live status (when `live`), language menu, sign-out. */
export function HeaderTools(props: {
  i18n: I18n;
  client: GraphQLClient;
  signedIn: boolean;
  live: boolean;
  onSignOut: () => void;
}) {
  const { i18n } = props;
  return (
    <>
      {props.signedIn && props.live && <LiveStatus client={props.client} i18n={i18n} />}
      <LanguageMenu i18n={i18n} />
      {props.signedIn && (
        <button type="button" onClick={props.onSignOut}>
          <i18n.T k="common.signOut" />
        </button>
      )}
    </>
  );
}

/** The staff and volunteer pages' header: skip link, page name, section links once signed in,
 * then the tools. */
export function PageHeader(props: {
  i18n: I18n;
  client: GraphQLClient;
  class: string;
  title: MessageKey;
  navLabel: string;
  signedIn: boolean;
  onSignOut: () => void;
  children: ComponentChildren;
}) {
  const { i18n } = props;
  return (
    <header class={`page-header ${props.class}`}>
      <a class="skip-link" href="#main">
        <i18n.T k="common.skipToContent" />
      </a>
      <span class="brand">
        <i18n.T k={props.title} />
      </span>
      {props.signedIn && <nav aria-label={props.navLabel}>{props.children}</nav>}
      <HeaderTools i18n={i18n} client={props.client} signedIn={props.signedIn} live={true} onSignOut={props.onSignOut} />
    </header>
  );
}

/** A labelled horizontal bar for a 0..1 value (scores, confidence); the number is visible too. */
export function Bar(props: { label: ComponentChildren; value: number; color?: string; title?: string }) {
  const pct = Math.max(0, Math.min(1, props.value)) * 100;
  return (
    <div class="bar" title={props.title}>
      <span class="bar-label">{props.label}</span>
      <span class="bar-track" aria-hidden="true">
        <span class="bar-fill" style={{ width: `${pct}%`, background: props.color }} />
      </span>
      <span class="bar-value">{props.value.toFixed(2)}</span>
    </div>
  );
}
