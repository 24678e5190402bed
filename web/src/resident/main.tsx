// Resident page (`/`): the foundation only so far (language menu with every resident locale,
// token sign-in); registration, submission and live status are still to be built on it.
import "../shared/base.css";
import "../shared/page.css";
import { render } from "preact";
import { I18n } from "../shared/i18n";
import { Session } from "../shared/session";
import { SkeletonPage } from "../shared/skeleton";

const i18n = new I18n("resident", "en");
const session = new Session("resident");

void i18n.use(i18n.initialCode()).then(() => {
  render(
    <SkeletonPage
      i18n={i18n}
      session={session}
      role="RESIDENT"
      title="resident.title"
      hint="resident.signInHint"
      signedInAs="resident.signedInAs"
    />,
    document.getElementById("app")!,
  );
});
