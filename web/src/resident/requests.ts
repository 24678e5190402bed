// The resident's own requests, kept live: listed over HTTP, then each one still moving is
// followed with requestUpdated(id, after). `after` starts at the request's lastEventId (the
// newest event the listing already reflects), so nothing written between the listing and the
// subscription is lost; after a reconnection each subscription starts again after the last
// event received. Events are applied once (ids increase), requests never go back in time.
import { computed, signal } from "@preact/signals";
import type { ApiError, GraphQLClient } from "../shared/graphql";
import { ops } from "./ops";
import { FINAL, type MyRequest } from "./types";

const PAGE = 50;
const SEEN_KEY = "otonari.resident.emergencySeen"; // cleared with the token on sign-out

interface ListData {
  viewer: {
    resident: {
      id: string;
      displayName: string;
      requests: { totalCount: number; edges: { node: MyRequest }[] };
    } | null;
  };
}

interface EventData {
  requestUpdated: { eventId: string; kind: string; request: MyRequest };
}

interface Follow {
  stop: () => void;
  after: string | null;
}

function newerEvent(a: string, b: string | null): boolean {
  return b === null || BigInt(a) > BigInt(b);
}

function readSeen(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(SEEN_KEY) ?? "[]") as string[]);
  } catch {
    return new Set();
  }
}

export class MyRequests {
  private readonly items = signal<ReadonlyMap<string, MyRequest>>(new Map());
  private readonly follows = new Map<string, Follow>();
  private seen = readSeen();
  private stopResync: (() => void) | null = null;
  readonly name = signal<string | null>(null);
  readonly loading = signal(true);
  readonly error = signal<unknown>(null);
  /** The request whose emergency advice fills the screen now, if any. */
  readonly emergency = signal<string | null>(null);
  readonly sorted = computed(() =>
    [...this.items.value.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0)),
  );

  constructor(private readonly client: GraphQLClient) {}

  start(): void {
    this.stopResync = this.client.onResync(() => {
      // Back after a cut: every subscription resumes after its last event; the list is read
      // again for requests made meanwhile in another tab.
      for (const [id, follow] of this.follows) this.subscribe(id, follow.after);
      void this.reload();
    });
    void this.reload();
  }

  dispose(): void {
    this.stopResync?.();
    this.stopResync = null;
    for (const follow of this.follows.values()) follow.stop();
    this.follows.clear();
    this.items.value = new Map();
    this.emergency.value = null;
    this.name.value = null;
    this.seen = new Set();
  }

  get(id: string): MyRequest | undefined {
    return this.items.value.get(id);
  }

  async reload(): Promise<void> {
    this.loading.value = true;
    try {
      const data = await this.client.request<ListData>(ops.get("MyRequests"), { first: PAGE });
      const resident = data.viewer.resident;
      this.name.value = resident?.displayName ?? "";
      for (const { node } of resident?.requests.edges ?? []) this.put(node);
      this.error.value = null;
    } catch (error) {
      this.error.value = error;
    } finally {
      this.loading.value = false;
    }
  }

  /** Read one request (a detail page opened by its address, or a refused resume). */
  async fetch(id: string): Promise<MyRequest | null> {
    const data = await this.client.request<{ request: MyRequest | null }>(ops.get("MyRequest"), { id });
    if (data.request) this.put(data.request);
    return data.request;
  }

  /** A request as read or as returned by a mutation: shown, and followed while it can change. */
  put(request: MyRequest): void {
    const current = this.items.value.get(request.id);
    if (current && current.updatedAt > request.updatedAt) return;
    const next = new Map(this.items.value);
    next.set(request.id, request);
    this.items.value = next;
    if (request.status === "ESCALATED" && request.emergencyAdvice && !this.seen.has(request.id)) {
      this.emergency.value ??= request.id;
    }
    if (FINAL.has(request.status)) {
      this.follows.get(request.id)?.stop();
      this.follows.delete(request.id);
    } else if (!this.follows.has(request.id)) {
      this.subscribe(request.id, request.lastEventId);
      // Nothing to resume after (a request changed while it was read, in a fresh database):
      // read it once more, so a change made before the subscription began is not missed.
      if (request.lastEventId === null) void this.fetch(request.id).catch(() => undefined);
    }
  }

  /** The resident has seen the emergency advice of this request: the screen gives way. */
  acknowledge(id: string): void {
    this.seen.add(id);
    try {
      sessionStorage.setItem(SEEN_KEY, JSON.stringify([...this.seen]));
    } catch {
      // Remembered for this page load only.
    }
    if (this.emergency.value === id) this.emergency.value = null;
  }

  /** Show the emergency advice of a request again (from its page). */
  showEmergency(id: string): void {
    this.emergency.value = id;
  }

  private subscribe(id: string, after: string | null): void {
    this.follows.get(id)?.stop();
    const follow: Follow = { stop: () => undefined, after };
    follow.stop = this.client.subscribe<EventData>(
      ops.get("MyRequestUpdated"),
      { id, after },
      {
        next: (data) => {
          const event = data.requestUpdated;
          if (!newerEvent(event.eventId, follow.after)) return; // replayed twice after a reconnection
          follow.after = event.eventId;
          this.put(event.request);
        },
        error: (error: ApiError) => {
          if (this.follows.get(id) !== follow) return;
          this.follows.delete(id);
          if (error.code === "REPLAY_TOO_LONG" || error.code === "UNKNOWN_EVENT") {
            // Too far behind to replay: read the request as it is now and follow from there.
            void this.fetch(id).catch((e: unknown) => {
              this.error.value = e;
            });
          } else if (error.code !== "NOT_FOUND") {
            this.error.value = error;
          }
        },
      },
    );
    this.follows.set(id, follow);
  }
}
