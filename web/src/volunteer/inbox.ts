// The volunteer's offers, live: myOffers once, then offerReceived (resumed with `after` from the
// last event seen when the socket comes back), and requestUpdated for each pending offer, so an
// offer withdrawn or taken by someone else changes here without a reload.
import { batch, computed, signal } from "@preact/signals";
import { ApiError, Operations, type GraphQLClient, type UserError } from "../shared/graphql";
import source from "./operations.graphql?raw";
import type { OfferItem } from "./types";

const ops = new Operations(source);

export class OfferInbox {
  readonly offers = signal<OfferItem[]>([]);
  readonly loaded = signal(false);
  readonly error = signal<unknown>(null);
  /** The newest arrival, for the polite live region. */
  readonly arrived = signal<OfferItem | null>(null);
  /** Bumped when an offer is accepted or a request changes: the matches list reloads on it. */
  readonly changes = signal(0);
  /** Ticks every 15 s so countdowns and expiry show without an event. */
  readonly now = signal(Date.now());
  readonly pending = computed(() =>
    this.offers.value.filter((o) => o.status === "PENDING" && Date.parse(o.expiresAt) > this.now.value),
  );

  private lastEventId: string | null = null;
  private stopOffers: (() => void) | null = null;
  private readonly watched = new Map<string, () => void>();
  private stopResync: (() => void) | null = null;
  private timer: number | null = null;
  private reloadTimer: number | null = null;
  private started = false;

  constructor(private readonly client: GraphQLClient) {}

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
    this.subscribe();
    this.stopResync = this.client.onResync(() => {
      // Missed offers come back through `after`; status changes through a fresh read.
      this.subscribe();
      void this.load();
    });
    this.timer = window.setInterval(() => {
      this.now.value = Date.now();
    }, 15_000);
  }

  dispose(): void {
    this.started = false;
    this.stopOffers?.();
    this.stopOffers = null;
    this.stopResync?.();
    for (const stop of this.watched.values()) stop();
    this.watched.clear();
    if (this.timer !== null) window.clearInterval(this.timer);
    if (this.reloadTimer !== null) window.clearTimeout(this.reloadTimer);
    batch(() => {
      this.offers.value = [];
      this.loaded.value = false;
      this.arrived.value = null;
    });
    this.lastEventId = null;
  }

  async load(): Promise<void> {
    try {
      const data = await this.client.request<{ myOffers: OfferItem[] }>(ops.get("MyOffers"));
      batch(() => {
        this.offers.value = data.myOffers;
        this.loaded.value = true;
        this.error.value = null;
        this.now.value = Date.now();
      });
      this.watchPending();
    } catch (error) {
      this.error.value = error;
    }
  }

  private subscribe(): void {
    this.stopOffers?.();
    this.stopOffers = this.client.subscribe<{ offerReceived: OfferItem }>(
      ops.get("OfferReceived"),
      { after: this.lastEventId },
      {
        next: ({ offerReceived: offer }) => {
          if (offer.eventId) this.lastEventId = offer.eventId;
          this.upsert(offer, true);
        },
        error: (error) => {
          if (error.code === "REPLAY_TOO_LONG" || error.code === "UNKNOWN_EVENT") {
            // Too far behind to replay: read the state, then follow live events only.
            this.lastEventId = null;
            this.subscribe();
            void this.load();
          } else {
            this.error.value = error;
          }
        },
      },
    );
  }

  private upsert(offer: OfferItem, isNew = false): void {
    const others = this.offers.value.filter((o) => o.id !== offer.id);
    const known = others.length !== this.offers.value.length;
    batch(() => {
      this.offers.value = [offer, ...others].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      this.now.value = Date.now();
      if (isNew && !known) this.arrived.value = offer;
    });
    this.watchPending();
  }

  /** One requestUpdated per pending offer: its end (withdrawn, taken, cancelled) shows at once. */
  private watchPending(): void {
    const pending = new Set(this.offers.value.filter((o) => o.status === "PENDING").map((o) => o.request.id));
    for (const [id, stop] of this.watched) {
      if (!pending.has(id)) {
        stop();
        this.watched.delete(id);
      }
    }
    for (const id of pending) {
      if (this.watched.has(id)) continue;
      const stop = this.client.subscribe(ops.get("OfferRequestUpdated"), { id }, {
        next: () => this.reloadSoon(),
        complete: () => {
          this.watched.delete(id);
          this.reloadSoon();
        },
      });
      this.watched.set(id, stop);
    }
  }

  private reloadSoon(): void {
    if (this.reloadTimer !== null) window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => {
      this.reloadTimer = null;
      this.changes.value++;
      void this.load();
    }, 150);
  }

  /** Accept or decline; returns the refusal (the list is reloaded then), or [] on success. */
  async respond(offerId: string, accept: boolean): Promise<UserError[] | ApiError> {
    try {
      const data = await this.client.request<{ respondToOffer: { offer: OfferItem | null; errors: UserError[] } }>(
        ops.get("RespondToOffer"),
        { offerId, accept },
      );
      const { offer, errors } = data.respondToOffer;
      if (offer) this.upsert(offer);
      if (errors.length) void this.load();
      if (accept && offer) this.changes.value++;
      return errors;
    } catch (error) {
      return error instanceof ApiError ? error : new ApiError(String(error), "ERROR");
    }
  }
}
