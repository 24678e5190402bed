// The console's singletons: one session, one client, one i18n, one live queue per tab.
import { GraphQLClient } from "../shared/graphql";
import { I18n } from "../shared/i18n";
import { Session } from "../shared/session";
import { ReviewQueue } from "./queue";

export const i18n = new I18n("staff", "ja");
export const { t, T } = i18n;
export const session = new Session("staff");
export const client = new GraphQLClient({
  session,
  onUnauthenticated: () => signOut(),
  language: () => i18n.locale.value.code,
});
export const queue = new ReviewQueue(client);

export function signOut(): void {
  queue.dispose();
  client.close();
  session.signOut();
}
