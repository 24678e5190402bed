// The volunteer page's singletons: one session, one client, one i18n, one offer inbox per tab.
import { GraphQLClient, Operations } from "../shared/graphql";
import { I18n } from "../shared/i18n";
import { Session } from "../shared/session";
import { OfferInbox } from "./inbox";
import source from "./operations.graphql?raw";

export const ops = new Operations(source);
export const i18n = new I18n("volunteer", "ja");
export const { t, T } = i18n;
export const session = new Session("volunteer");
export const client = new GraphQLClient({
  session,
  onUnauthenticated: () => signOut(),
  language: () => i18n.locale.value.code,
});
export const inbox = new OfferInbox(client);

export function signOut(): void {
  inbox.dispose();
  client.close();
  session.signOut();
}
