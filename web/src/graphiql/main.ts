// GraphiQL at /graphql, built from the npm package (no CDN: it works offline). Queries and
// mutations go over HTTP, subscriptions over graphql-transport-ws with the Authorization header
// from the headers editor sent in connection_init.
import "graphiql/style.css";
import "./graphiql.css";
import { GraphiQL } from "graphiql";
import { createClient, type Client } from "graphql-ws";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

type Params = { query: string; variables?: unknown; operationName?: string | null };
type Options = { headers?: Record<string, string> };

const sockets = new Map<string, Client>();

function socketFor(authorization: string): Client {
  let client = sockets.get(authorization);
  if (!client) {
    const url = new URL("/graphql", window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    client = createClient({ url: url.href, connectionParams: authorization ? { authorization } : {} });
    sockets.set(authorization, client);
  }
  return client;
}

function isSubscription(params: Params): boolean {
  // Good enough for an explorer: the named operation (or the only one) starts with "subscription".
  const name = params.operationName;
  const pattern = name ? new RegExp(`subscription\\s+${name}\\b`) : /^\s*subscription\b/m;
  return pattern.test(params.query);
}

function fetcher(params: Params, options?: Options) {
  const headers = options?.headers ?? {};
  const authorization = headers.Authorization ?? headers.authorization ?? "";
  if (isSubscription(params)) {
    const client = socketFor(authorization);
    return client.iterate({
      query: params.query,
      variables: (params.variables ?? {}) as Record<string, unknown>,
      operationName: params.operationName ?? undefined,
    });
  }
  return fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(params),
    credentials: "omit",
  }).then((response) => response.json() as Promise<unknown>);
}

const root = document.getElementById("app")!;
createRoot(root).render(
  createElement(GraphiQL, {
    fetcher: fetcher as never,
    defaultHeaders: '{\n  "Authorization": "Bearer <token from main.py create-staff>"\n}',
    defaultQuery: "# Spot Otonari-san API. Put a token in the headers below, then run (Ctrl-Enter).\n{\n  __typename\n}\n",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }),
);
