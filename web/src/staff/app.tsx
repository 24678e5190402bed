import { useSignalEffect } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { navigate, route } from "../shared/router";
import { PageHeader, RoleSignIn } from "../shared/ui";
import { client, i18n, queue, session, signOut, t, T } from "./context";
import { Dashboard } from "./dashboard";
import { QueuePage } from "./queue-page";
import { Volunteers } from "./volunteers";

export function App() {
  const token = session.token.value;
  if (!token) {
    return (
      <>
        <Header signedIn={false} />
        <RoleSignIn
          i18n={i18n}
          client={client}
          session={session}
          role="STAFF"
          title={<T k="staff.signIn.title" />}
          hint={<T k="staff.signIn.hint" />}
        />
      </>
    );
  }
  return <Console />;
}

function Console() {
  useEffect(() => {
    queue.start();
    return () => queue.dispose();
  }, []);
  // The tab's title carries the emergency count, so a background tab shows it too.
  useSignalEffect(() => {
    const alerts = queue.alerts.value.length;
    document.title = (alerts ? `(${alerts}!) ` : "") + t("staff.title");
  });
  const [page = "queue", id] = route.value;
  return (
    <>
      <Header signedIn={true} />
      <EmergencyAlert />
      {page === "dashboard" ? <Dashboard /> : page === "volunteers" ? <Volunteers /> : <QueuePage selectedId={id ?? null} />}
    </>
  );
}

function Header(props: { signedIn: boolean }) {
  const [page = "queue"] = route.value;
  const current = (name: string) => (page === name ? "page" : undefined);
  const count = queue.total.value;
  const emergencies = queue.emergencies.value;
  return (
    <PageHeader
      i18n={i18n}
      client={client}
      class="staff-header"
      title="staff.title"
      navLabel={t("staff.nav.label")}
      signedIn={props.signedIn}
      onSignOut={signOut}
    >
      <a href="#/queue" aria-current={current("queue")}>
        <T k="staff.nav.queue" />{" "}
        <span class={emergencies ? "badge badge-emergency" : "badge"} data-testid="queue-count">
          {count}
        </span>
        {emergencies > 0 && <span class="visually-hidden">{t("staff.queue.emergencies", { count: emergencies })}</span>}
      </a>
      <a href="#/volunteers" aria-current={current("volunteers")}>
        <T k="staff.nav.volunteers" />
      </a>
      <a href="#/dashboard" aria-current={current("dashboard")}>
        <T k="staff.nav.dashboard" />
      </a>
    </PageHeader>
  );
}

/** A sound-free, visual alert while an EMERGENCY waits unopened. */
function EmergencyAlert() {
  const alerts = queue.alerts.value;
  if (alerts.length === 0) return null;
  const first = alerts[0]!;
  const item = queue.get(first.id);
  return (
    <div class="emergency-alert" role="alert" data-testid="emergency-alert">
      <strong>
        <T k="staff.alert.title" p={{ count: alerts.length }} />
      </strong>{" "}
      {item && <span class="emergency-alert-text">{item.text.slice(0, 120)}</span>}
      <button type="button" class="primary" onClick={() => navigate("queue", first.id)}>
        <T k="staff.alert.open" />
      </button>
      <button type="button" onClick={() => queue.acknowledge(first.id)}>
        <T k="staff.alert.dismiss" />
      </button>
    </div>
  );
}
