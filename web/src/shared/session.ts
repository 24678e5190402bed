// Bearer tokens live in this tab's sessionStorage, one slot per page (staff, volunteer,
// resident): never in a URL, a cookie or localStorage, so closing the tab or signing out
// forgets them and another tab starts signed out.
import { signal, type Signal } from "@preact/signals";

export type App = "staff" | "volunteer" | "resident";

const KEY_PREFIX = "otonari.token.";

function read(app: App): string | null {
  try {
    return sessionStorage.getItem(KEY_PREFIX + app);
  } catch {
    return null; // storage disabled: the page still works until it is reloaded
  }
}

export class Session {
  readonly token: Signal<string | null>;

  constructor(readonly app: App) {
    this.token = signal(read(app));
  }

  signIn(token: string): void {
    const clean = token.trim();
    try {
      sessionStorage.setItem(KEY_PREFIX + this.app, clean);
    } catch {
      // Kept in memory only.
    }
    this.token.value = clean;
  }

  /** Forget the token (and anything else this page kept for the tab). */
  signOut(): void {
    try {
      for (const key of Object.keys(sessionStorage)) {
        if (key.startsWith("otonari.")) sessionStorage.removeItem(key);
      }
    } catch {
      // Nothing stored.
    }
    this.token.value = null;
  }
}
