// Volunteer page (`/volunteer`, Japanese by default): the foundation only so far (language
// menu, token sign-in); offers, matches and the profile are still to be built on it.
import "../shared/base.css";
import "../shared/page.css";
import { render } from "preact";
import { I18n } from "../shared/i18n";
import { Session } from "../shared/session";
import { SkeletonPage } from "../shared/skeleton";

const i18n = new I18n("volunteer", "ja");
const session = new Session("volunteer");

void i18n.use(i18n.initialCode()).then(() => {
  render(
    <SkeletonPage
      i18n={i18n}
      session={session}
      role="VOLUNTEER"
      title="volunteer.title"
      hint="volunteer.signInHint"
      signedInAs="volunteer.signedInAs"
    />,
    document.getElementById("app")!,
  );
});
