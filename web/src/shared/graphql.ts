// The one way the pages talk to the server: the public GraphQL API at /graphql, over HTTP for
// queries and mutations and over graphql-transport-ws (the graphql-ws client) for subscriptions.
//
// - The token is read from the page's Session on every call and sent as a Bearer header (HTTP)
//   or in connection_init (WebSocket); it never goes into a URL.
// - Failures become ApiError with the server's extensions.code (UNAUTHENTICATED, FORBIDDEN, ...)
//   or NETWORK; mutations' expected failures stay in their payload's `errors` (see UserError).
// - Accept-Language is the page's locale, so payload error messages for someone not signed in
//   (or without languages: staff) come in the language the page shows.
// - The socket reconnects by itself with back-off; after a reconnect every `onResync` listener
//   runs so the page re-queries what it shows (events missed while away are not replayed).
import { signal } from "@preact/signals";
import { createClient, type Client } from "graphql-ws";
import type { Session } from "./session";

export interface UserError {
  path: string[];
  /** In the person's language (the server picks it; see the README). */
  message: string;
  code: string;
  /** The exact reason within `code` (BLANK, TOO_LONG, ...), when the operation asks for it. */
  reason?: string;
  retryAfterSeconds?: number | null;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type LiveStatus = "idle" | "connecting" | "live" | "reconnecting" | "closed";

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Operations kept in a .graphql file, each sent with only the fragments it uses. */
export class Operations {
  private readonly definitions = new Map<string, string>();

  constructor(source: string) {
    const starts = [...source.matchAll(/^(query|mutation|subscription|fragment)\s+(\w+)/gm)];
    starts.forEach((match, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.index : source.length;
      this.definitions.set(match[2]!, source.slice(match.index, end).trim());
    });
  }

  /** The document for one named operation: the operation and the fragments it reaches. */
  get(name: string): string {
    const operation = this.definitions.get(name);
    if (operation === undefined) throw new Error(`no operation named ${name}`);
    const needed = new Set<string>();
    const visit = (text: string) => {
      for (const spread of text.matchAll(/\.\.\.\s*(\w+)/g)) {
        const fragment = spread[1]!;
        if (fragment === "on" || needed.has(fragment)) continue;
        const body = this.definitions.get(fragment);
        if (body === undefined) throw new Error(`no fragment named ${fragment}`);
        needed.add(fragment);
        visit(body);
      }
    };
    visit(operation);
    return [operation, ...[...needed].map((f) => this.definitions.get(f)!)].join("\n");
  }
}

export interface ClientOptions {
  session: Session;
  /** Called once when the server says the token is not (or no longer) valid. */
  onUnauthenticated?: () => void;
  /** The page's locale code (ja, ja-easy, vi, ...), sent as Accept-Language. */
  language?: () => string;
  endpoint?: string;
}

export class GraphQLClient {
  readonly status = signal<LiveStatus>("idle");
  private socket: Client | null = null;
  private readonly resyncListeners = new Set<() => void>();
  private readonly endpoint: string;

  constructor(private readonly options: ClientOptions) {
    this.endpoint = options.endpoint ?? "/graphql";
    window.addEventListener("online", () => this.resync());
  }

  private authorization(): string | null {
    const token = this.options.session.token.value;
    return token ? `Bearer ${token}` : null;
  }

  /** A query or mutation over HTTP; resolves to `data`, throws ApiError on any GraphQL error. */
  async request<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const authorization = this.authorization();
    if (authorization) headers.Authorization = authorization;
    const language = this.options.language?.();
    if (language) headers["Accept-Language"] = language;
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: document, variables }),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new ApiError("The server cannot be reached. Check the connection and try again.", "NETWORK");
    }
    let body: GraphQLResponse<T>;
    try {
      body = (await response.json()) as GraphQLResponse<T>;
    } catch {
      throw new ApiError(`The server answered ${response.status} without a GraphQL body.`, "BAD_RESPONSE", response.status);
    }
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? "ERROR";
      if (code === "UNAUTHENTICATED") this.options.onUnauthenticated?.();
      throw new ApiError(first.message, code, response.status);
    }
    if (body.data === null || body.data === undefined) throw new ApiError("The server sent no data.", "BAD_RESPONSE", response.status);
    return body.data;
  }

  /** A live subscription; returns its unsubscribe function. */
  subscribe<T>(
    document: string,
    variables: Record<string, unknown>,
    handlers: { next: (data: T) => void; error?: (error: ApiError) => void; complete?: () => void },
  ): () => void {
    return this.live().subscribe<T>(
      { query: document, variables },
      {
        next: (result) => {
          const first = result.errors?.[0];
          if (first) {
            const raw = first.extensions?.code;
            const code = typeof raw === "string" ? raw : "ERROR";
            handlers.error?.(new ApiError(first.message, code));
          } else if (result.data) {
            handlers.next(result.data);
          }
        },
        error: (error: unknown) => handlers.error?.(toApiError(error)),
        complete: () => handlers.complete?.(),
      },
    );
  }

  /** Run `listener` after every reconnection (and when the browser comes back online). */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** Close the socket (sign-out): the next subscription opens a new one with the new token. */
  close(): void {
    void this.socket?.dispose();
    this.socket = null;
    this.status.value = "closed";
  }

  private resync(): void {
    for (const listener of this.resyncListeners) listener();
  }

  private live(): Client {
    if (this.socket) return this.socket;
    const url = new URL(this.endpoint, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const client = createClient({
      url: url.href,
      connectionParams: () => {
        const authorization = this.authorization();
        return authorization ? { authorization } : {};
      },
      lazy: true,
      keepAlive: 15_000, // notices a dead connection (sleeping laptop, lost Wi-Fi) within ~15 s
      retryAttempts: Number.POSITIVE_INFINITY,
      // Retry anything but a refused sign-in (4401/4403): that needs a new token, not a retry.
      shouldRetry: (event) => !(isCloseEvent(event) && (event.code === 4401 || event.code === 4403)),
      retryWait: async (retries) => {
        const ms = Math.min(10_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
      on: {
        connecting: (isRetry) => {
          this.status.value = isRetry ? "reconnecting" : "connecting";
        },
        connected: (_socket, _payload, wasRetry) => {
          this.status.value = "live";
          if (wasRetry) this.resync();
        },
        closed: (event) => {
          if (this.socket !== client) return;
          if (isCloseEvent(event) && (event.code === 4401 || event.code === 4403)) {
            this.options.onUnauthenticated?.();
          }
          this.status.value = "reconnecting";
        },
      },
    });
    this.socket = client;
    return client;
  }
}

function isCloseEvent(value: unknown): value is CloseEvent {
  return typeof value === "object" && value !== null && "code" in value && "reason" in value;
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isCloseEvent(error)) {
    return new ApiError(error.reason || `The live connection closed (${error.code}).`, `CLOSE_${error.code}`);
  }
  if (Array.isArray(error)) {
    const first = error[0] as { message?: string; extensions?: { code?: string } } | undefined;
    return new ApiError(first?.message ?? "Subscription failed.", first?.extensions?.code ?? "ERROR");
  }
  return new ApiError(error instanceof Error ? error.message : "The live connection failed.", "NETWORK");
}
