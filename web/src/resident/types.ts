// The shapes of the resident page's operations (operations.graphql).
import type { UserError } from "../shared/graphql";

export type Status = "RECEIVED" | "IN_REVIEW" | "ESCALATED" | "OPEN" | "MATCHED" | "COMPLETED" | "CANCELLED" | "CLOSED";
export type Urgency = "EMERGENCY" | "HIGH" | "NORMAL" | "LOW";

export const STATUSES: Status[] = ["RECEIVED", "IN_REVIEW", "ESCALATED", "OPEN", "MATCHED", "COMPLETED", "CANCELLED", "CLOSED"];
/** No more changes a resident waits for: the page stops following them. */
export const FINAL = new Set<Status>(["COMPLETED", "CANCELLED", "CLOSED"]);

export interface Advice {
  message: string;
  numbers: { number: string; label: string }[];
}

export interface MyRequest {
  id: string;
  text: string;
  area: string;
  status: Status;
  urgency: Urgency | null;
  preferredTimes: string | null;
  createdAt: string;
  updatedAt: string;
  lastEventId: string | null;
  viewerCompleted: boolean | null;
  triage: { language: string } | null;
  emergencyAdvice: Advice | null;
  assignedVolunteer: { id: string; displayName: string; languages: string[]; contact: string | null } | null;
}

export interface Payload {
  errors: UserError[];
}
