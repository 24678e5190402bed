// A signed-in shell for the pages still to be built (resident, volunteer): language menu,
// token sign-in checked against the role, sign-out. The real pages replace their body.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { ApiError, GraphQLClient } from "./graphql";
import type { I18n, MessageKey } from "./i18n";
import type { Session } from "./session";
import { LanguageMenu, SignIn } from "./ui";
import { fetchViewer, type Role } from "./viewer";

export function SkeletonPage(props: {
  i18n: I18n;
  session: Session;
  role: Role;
  title: MessageKey;
  hint: MessageKey;
  signedInAs: MessageKey;
}) {
  const { i18n, session } = props;
  const T = i18n.T;
  const name = useSignal<string | null>(null);
  const client = new GraphQLClient({
    session,
    onUnauthenticated: () => session.signOut(),
    language: () => i18n.locale.value.code,
  });
  const token = session.token.value;

  useEffect(() => {
    if (!token) return;
    fetchViewer(client)
      .then((viewer) => {
        name.value = viewer.resident?.displayName ?? viewer.volunteer?.displayName ?? "";
      })
      .catch(() => session.signOut());
  }, [token]);

  return (
    <>
      <a class="skip-link" href="#main">
        <T k="common.skipToContent" />
      </a>
      <header class="page-header">
        <span class="brand">
          <T k="common.appName" />
        </span>
        <LanguageMenu i18n={i18n} />
        {token && (
          <button type="button" onClick={() => session.signOut()}>
            <T k="common.signOut" />
          </button>
        )}
      </header>
      {token ? (
        <main id="main" class="page-body">
          <h1>
            <T k={props.title} />
          </h1>
          {name.value !== null && (
            <p>
              <T k={props.signedInAs} p={{ name: name.value }} />
            </p>
          )}
        </main>
      ) : (
        <SignIn
          i18n={i18n}
          title={<T k={props.title} />}
          hint={<T k={props.hint} />}
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
      )}
    </>
  );
}
