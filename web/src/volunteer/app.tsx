import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { route } from "../shared/router";
import { PageHeader, RoleSignIn } from "../shared/ui";
import { fetchViewer } from "../shared/viewer";
import { client, i18n, inbox, session, signOut, t, T } from "./context";
import { Matches } from "./matches";
import { Offers } from "./offers";
import { ProfilePage } from "./profile";

export function App() {
  if (!session.token.value) {
    return (
      <>
        <Header signedIn={false} />
        <RoleSignIn
          i18n={i18n}
          client={client}
          session={session}
          role="VOLUNTEER"
          title={<T k="volunteer.title" />}
          hint={<T k="volunteer.signInHint" />}
        />
      </>
    );
  }
  return <Signed />;
}

function Signed() {
  const me = useSignal<{ displayName: string; verified: boolean; active: boolean } | null>(null);
  useEffect(() => {
    inbox.start();
    fetchViewer(client)
      .then((viewer) => {
        me.value = viewer.volunteer;
      })
      .catch(() => undefined); // an invalid token signs out through onUnauthenticated
    return () => inbox.dispose();
  }, []);
  const [page = "offers"] = route.value;
  useEffect(() => {
    const key = page === "matches" ? "volunteer.nav.matches" : page === "profile" ? "volunteer.nav.profile" : "volunteer.nav.offers";
    document.title = `${t(key)} · ${t("volunteer.title")}`;
  }, [page, i18n.locale.value]);
  return (
    <>
      <Header signedIn={true} />
      <main id="main" class="page-body volunteer-body">
        {me.value && (
          <p class="muted signed-in-as">
            <T k="volunteer.signedInAs" p={{ name: me.value.displayName }} />
          </p>
        )}
        {me.value && !me.value.verified && (
          <p class="notice" data-testid="not-verified">
            <T k="volunteer.notVerified" />
          </p>
        )}
        {me.value && me.value.verified && !me.value.active && (
          <p class="notice">
            <T k="volunteer.paused" />
          </p>
        )}
        {page === "matches" ? (
          <Matches />
        ) : page === "profile" ? (
          <ProfilePage
            onSaved={(p) => {
              me.value = { displayName: p.displayName, verified: p.verified, active: p.active };
            }}
          />
        ) : (
          <Offers />
        )}
      </main>
    </>
  );
}

function Header(props: { signedIn: boolean }) {
  const [page = "offers"] = route.value;
  const current = (name: string) => (page === name ? "page" : undefined);
  const pending = inbox.pending.value.length;
  return (
    <PageHeader
      i18n={i18n}
      client={client}
      class="volunteer-header"
      title="volunteer.title"
      navLabel={t("volunteer.nav.label")}
      signedIn={props.signedIn}
      onSignOut={signOut}
    >
      <a href="#/offers" aria-current={current("offers")}>
        <T k="volunteer.nav.offers" />{" "}
        <span class="badge" data-testid="offer-count">
          {pending}
        </span>
      </a>
      <a href="#/matches" aria-current={current("matches")}>
        <T k="volunteer.nav.matches" />
      </a>
      <a href="#/profile" aria-current={current("profile")}>
        <T k="volunteer.nav.profile" />
      </a>
    </PageHeader>
  );
}
