// The live review queue: loaded page by page over HTTP, kept current by the reviewQueueUpdated
// subscription, reloaded after a reconnection (events missed while away are not replayed).
//
// Order: urgency (EMERGENCY first), then the triage's emergency likelihood when it has one
// (highest first), then age (oldest first).
import { computed, signal } from "@preact/signals";
import type { GraphQLClient } from "../shared/graphql";
import { ops } from "./ops";
import type { Field, QueueItem, Urgency } from "./types";

const RANK: Record<Urgency, number> = { EMERGENCY: 0, HIGH: 1, NORMAL: 2, LOW: 3 };
const IN_QUEUE = new Set(["IN_REVIEW", "ESCALATED"]);
const PAGE = 100;
const MAX_ITEMS = 5000;

export function compareQueue(a: QueueItem, b: QueueItem): number {
  const rank = (a.urgency ? RANK[a.urgency] : 3) - (b.urgency ? RANK[b.urgency] : 3);
  if (rank !== 0) return rank;
  const pa = a.triage?.emergencyProbability ?? -1;
  const pb = b.triage?.emergencyProbability ?? -1;
  if (pa !== pb) return pb - pa;
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : Number(a.id > b.id) - Number(a.id < b.id);
}

interface QueuePage {
  reviewQueue: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: QueueItem }[];
  };
}

interface QueueEvent {
  reviewQueueUpdated: { kind: string; at: string; request: QueueItem };
}

/** A decision made in this tab, listed so staff can go back to it. */
export interface RecentDecision {
  id: string;
  text: string;
  decision: "APPROVE" | "CLOSE";
  field: Field | null;
  urgency: Urgency | null;
}

export interface EmergencyAlert {
  id: string;
  at: number;
}

export class ReviewQueue {
  private readonly items = signal<ReadonlyMap<string, QueueItem>>(new Map());
  /** Ids that left the queue, with when we learned it: a slower page load must not bring them back. */
  private readonly left = new Map<string, number>();
  readonly loading = signal(true);
  readonly error = signal<unknown>(null);
  readonly total = signal(0);
  readonly alerts = signal<EmergencyAlert[]>([]);
  readonly recent = signal<RecentDecision[]>([]);
  readonly sorted = computed(() => [...this.items.value.values()].sort(compareQueue));
  readonly emergencies = computed(() => this.sorted.value.filter((i) => i.urgency === "EMERGENCY").length);
  private stop: (() => void) | null = null;
  private generation = 0;

  constructor(private readonly client: GraphQLClient) {}

  start(): void {
    const unsubscribe = this.client.subscribe<QueueEvent>(ops.get("ReviewQueueUpdated"), {}, {
      next: (data) => this.apply(data.reviewQueueUpdated.request),
      error: (error) => {
        this.error.value = error;
      },
    });
    const unresync = this.client.onResync(() => void this.reload());
    this.stop = () => {
      unsubscribe();
      unresync();
    };
    void this.reload();
  }

  dispose(): void {
    this.stop?.();
    this.stop = null;
  }

  get(id: string): QueueItem | undefined {
    return this.items.value.get(id);
  }

  /** Load every page again (first page shown as soon as it arrives). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const started = performance.now();
    const before = new Set(this.items.value.keys());
    const seen = new Map<string, QueueItem>();
    let after: string | null = null;
    this.loading.value = true;
    try {
      for (;;) {
        const page: QueuePage = await this.client.request<QueuePage>(ops.get("ReviewQueue"), { first: PAGE, after });
        if (generation !== this.generation) return; // a newer reload took over
        for (const { node } of page.reviewQueue.edges) {
          const gone = this.left.get(node.id);
          if (gone === undefined || gone < started) seen.set(node.id, node);
        }
        this.total.value = page.reviewQueue.totalCount;
        // Show each page as it arrives; items not reached yet stay until the listing is complete.
        const merged = new Map(this.items.value);
        for (const [id, item] of seen) merged.set(id, this.newer(item));
        this.items.value = merged;
        after = page.reviewQueue.pageInfo.endCursor;
        if (!page.reviewQueue.pageInfo.hasNextPage || seen.size >= MAX_ITEMS) break;
      }
      // Anything not in the complete listing has left, unless an event brought it meanwhile.
      const final = new Map<string, QueueItem>();
      for (const [id, item] of this.items.value) if (seen.has(id) || this.updatedSince(item, started)) final.set(id, item);
      this.items.value = final;
      for (const item of final.values()) if (!before.has(item.id) && before.size > 0) this.maybeAlert(item);
      this.error.value = null;
    } catch (error) {
      this.error.value = error;
    } finally {
      if (generation === this.generation) this.loading.value = false;
    }
  }

  private readonly touched = new Map<string, number>();

  private updatedSince(item: QueueItem, since: number): boolean {
    return (this.touched.get(item.id) ?? -1) >= since;
  }

  private newer(item: QueueItem): QueueItem {
    const current = this.items.value.get(item.id);
    return current && current.updatedAt > item.updatedAt ? current : item;
  }

  /** One event from the subscription: the request enters, changes or leaves the queue. */
  apply(request: QueueItem): void {
    const next = new Map(this.items.value);
    const known = next.has(request.id);
    this.touched.set(request.id, performance.now());
    if (IN_QUEUE.has(request.status)) {
      this.left.delete(request.id);
      next.set(request.id, request);
      if (!known) {
        this.total.value += 1;
        this.maybeAlert(request);
      }
    } else {
      this.left.set(request.id, performance.now());
      if (known) {
        next.delete(request.id);
        this.total.value = Math.max(0, this.total.value - 1);
      }
      this.acknowledge(request.id);
    }
    this.items.value = next;
  }

  /** Remove at once after this console's own decision (the event confirms it a moment later). */
  removeLocally(id: string): void {
    if (!this.items.value.has(id)) return;
    const next = new Map(this.items.value);
    next.delete(id);
    this.left.set(id, performance.now());
    this.items.value = next;
    this.total.value = Math.max(0, this.total.value - 1);
    this.acknowledge(id);
  }

  acknowledge(id: string): void {
    if (this.alerts.value.some((a) => a.id === id)) this.alerts.value = this.alerts.value.filter((a) => a.id !== id);
  }

  private maybeAlert(item: QueueItem): void {
    if (item.urgency !== "EMERGENCY" && item.status !== "ESCALATED") return;
    if (this.alerts.value.some((a) => a.id === item.id)) return;
    this.alerts.value = [...this.alerts.value, { id: item.id, at: Date.now() }];
  }
}
