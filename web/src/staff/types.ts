// The shapes the staff console reads, as selected in operations.graphql.
export const FIELDS = ["MEDICAL", "WELFARE", "CHILDCARE_EDUCATION", "LIFELINE", "OTHER"] as const;
export const URGENCIES = ["EMERGENCY", "HIGH", "NORMAL", "LOW"] as const;
export type Field = (typeof FIELDS)[number];
export type Urgency = (typeof URGENCIES)[number];
export type RequestStatus =
  | "RECEIVED"
  | "IN_REVIEW"
  | "ESCALATED"
  | "OPEN"
  | "MATCHED"
  | "COMPLETED"
  | "CANCELLED"
  | "CLOSED";
export type OfferStatus = "PENDING" | "ACCEPTED" | "DECLINED" | "EXPIRED" | "WITHDRAWN";

export interface QueueItem {
  id: string;
  text: string;
  area: string;
  status: RequestStatus;
  field: Field | null;
  urgency: Urgency | null;
  createdAt: string;
  updatedAt: string;
  needsAttention: string | null;
  triage: {
    language: string;
    confidence: number;
    emergencyProbability?: number | null;
  } | null;
}

export interface Triage {
  language: string;
  languageConfidence: number;
  field: Field;
  fieldScores: { field: Field; score: number }[];
  urgency: Urgency;
  urgencyScore: number;
  confidence: number;
  emergencyProbability?: number | null;
  signals: string[];
  model: string;
  createdAt: string;
}

export interface VolunteerSummary {
  id: string;
  displayName: string;
  languages: string[];
  area: string;
  fields: Field[];
  remoteOk: boolean;
  availability: string;
}

export interface Candidate {
  volunteer: VolunteerSummary;
  score: number;
  breakdown: { skill: number; language: number; area: number; availability: number; load: number };
}

export interface Offer {
  id: string;
  status: OfferStatus;
  createdAt: string;
  expiresAt: string;
  respondedAt: string | null;
  volunteer: { id: string; displayName: string };
}

export interface TimelineEvent {
  kind: string;
  at: string;
  offer: { id: string; status: OfferStatus; volunteer: { displayName: string } } | null;
}

export interface RequestDetail extends Omit<QueueItem, "triage"> {
  preferredTimes: string | null;
  triage: Triage | null;
  review: {
    field: Field;
    urgency: Urgency;
    agreedWithTriage: boolean;
    decidedAt: string;
    reviewer: string;
    note: string | null;
  } | null;
  emergencyAdvice: { message: string; numbers: { number: string; label: string }[] } | null;
  resident: { id: string; displayName: string; languages: string[]; area: string } | null;
  assignedVolunteer: { id: string; displayName: string } | null;
  similarReviewedRequests: {
    id: string;
    text: string;
    field: Field | null;
    urgency: Urgency | null;
    status: RequestStatus;
  }[];
  candidates: Candidate[];
  offers: Offer[];
  events: TimelineEvent[];
}

export interface UserError {
  path: string[];
  message: string;
  code: string;
}

export interface Volunteer extends VolunteerSummary {
  skills: string;
  verified: boolean;
  active: boolean;
  maxActiveRequests: number;
  contact: string | null;
}
