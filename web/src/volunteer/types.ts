export type Field = "MEDICAL" | "WELFARE" | "CHILDCARE_EDUCATION" | "LIFELINE" | "OTHER";
export type Urgency = "EMERGENCY" | "HIGH" | "NORMAL" | "LOW";
export type OfferStatus = "PENDING" | "ACCEPTED" | "DECLINED" | "EXPIRED" | "WITHDRAWN";
export const FIELDS: Field[] = ["MEDICAL", "WELFARE", "CHILDCARE_EDUCATION", "LIFELINE", "OTHER"];

export interface OfferItem {
  id: string;
  status: OfferStatus;
  createdAt: string;
  expiresAt: string;
  respondedAt: string | null;
  eventId?: string | null;
  request: RequestBasics;
}

/** What a volunteer sees of a request, whether offered or assigned. */
export interface RequestBasics {
  id: string;
  status: string;
  text: string;
  area: string;
  field: Field | null;
  urgency: Urgency | null;
  preferredTimes: string | null;
  createdAt: string;
}

export interface AssignedRequest extends RequestBasics {
  status: string; // MATCHED or COMPLETED
  updatedAt: string;
  viewerCompleted: boolean | null;
  resident: { id: string; displayName: string; languages: string[]; contact: string | null } | null;
}

export interface Profile {
  id: string;
  displayName: string;
  languages: string[];
  skills: string;
  fields: Field[];
  area: string;
  availability: string;
  remoteOk: boolean;
  maxActiveRequests: number;
  active: boolean;
  verified: boolean;
}

