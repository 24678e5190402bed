// Volunteer page (`/volunteer`, Japanese by default, English available): live offers to accept
// or decline, current matches with the resident's contact, completion, and the profile.
// `/volunteer/answer?t=…` (the one-click link of an offer email) is this page's code too.
import "../shared/base.css";
import "../shared/page.css";
import "./volunteer.css";
import { render } from "preact";
import { AnswerPage } from "./answer";
import { App } from "./app";
import { i18n } from "./context";

const answering = window.location.pathname.replace(/\/+$/, "") === "/volunteer/answer";

void i18n.use(i18n.initialCode()).then(() => {
  render(answering ? <AnswerPage /> : <App />, document.getElementById("app")!);
});
