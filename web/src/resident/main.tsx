// Resident page (`/`): register or sign in, ask for help in any language, follow each request
// live; an EMERGENCY fills the screen with the advice and tap-to-call numbers. 15 languages.
import "../shared/base.css";
import "../shared/page.css";
import "./resident.css";
import { render } from "preact";
import { App } from "./app";
import { i18n } from "./context";

void i18n.use(i18n.initialCode()).then(() => {
  render(<App />, document.getElementById("app")!);
});
