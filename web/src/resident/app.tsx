import { useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { route } from "../shared/router";
import { HeaderTools } from "../shared/ui";
import { client, i18n, requests, session, signOut, t, T } from "./context";
import { Detail } from "./detail";
import { EmergencyScreen } from "./emergency";
import { Home } from "./home";
import { issuedToken, Register, SignInForm, TokenShown } from "./welcome";

export function App() {
  useSignalEffect(() => {
    document.title = t("resident.title");
  });
  const token = session.token.value;
  return (
    <>
      <a class="skip-link" href="#main">
        <T k="common.skipToContent" />
      </a>
      <Header signedIn={token !== null} />
      {token ? <SignedIn /> : <SignedOut />}
    </>
  );
}

function Header(props: { signedIn: boolean }) {
  return (
    <header class="page-header">
      <span class="brand">
        <T k="common.appName" />
      </span>
      {/* Shown once something is followed live (a new resident has nothing to follow yet). */}
      <HeaderTools
        i18n={i18n}
        client={client}
        signedIn={props.signedIn}
        live={client.status.value !== "idle"}
        onSignOut={signOut}
      />
    </header>
  );
}

function SignedOut() {
  return (
    <main id="main" class="page-body resident">
      <h1>
        <T k="resident.title" />
      </h1>
      <p>
        <T k="resident.intro" />
      </p>
      <Register />
      <SignInForm />
    </main>
  );
}

function SignedIn() {
  useEffect(() => {
    requests.start();
    return () => requests.dispose();
  }, []);
  const [page, id] = route.value;
  const issued = issuedToken.value;
  const name = requests.name.value;
  return (
    <main id="main" class="page-body resident">
      <h1>
        <T k="resident.title" />
      </h1>
      {name && (
        <p class="muted" data-testid="signed-in-as">
          <T k="resident.signedInAs" p={{ name }} />
        </p>
      )}
      {issued ? <TokenShown token={issued} /> : page === "request" && id ? <Detail id={id} /> : <Home />}
      <EmergencyScreen />
    </main>
  );
}
