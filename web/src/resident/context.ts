// The page's singletons: one session, one client, one i18n and one live list per tab.
import { GraphQLClient } from "../shared/graphql";
import { I18n } from "../shared/i18n";
import { Session } from "../shared/session";
import { MyRequests } from "./requests";

export const i18n = new I18n("resident", "en");
export const { t, T } = i18n;
export const session = new Session("resident");
export const client = new GraphQLClient({
  session,
  onUnauthenticated: () => signOut(),
  language: () => i18n.locale.value.code,
});
export const requests = new MyRequests(client);

export function signOut(): void {
  requests.dispose();
  client.close();
  session.signOut();
}
