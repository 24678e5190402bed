// Staff console (`/staff`): the live review queue, request review by keyboard, volunteer
// vetting and the dashboard. Japanese by default, English available.
import "../shared/base.css";
import "../shared/page.css";
import "./staff.css";
import { render } from "preact";
import { App } from "./app";
import { i18n } from "./context";

void i18n.use(i18n.initialCode()).then(() => {
  render(<App />, document.getElementById("app")!);
});
