import type { GraphQLClient } from "./graphql";
import { Operations } from "./graphql";
import source from "./operations.graphql?raw";

export const sharedOps = new Operations(source);

export type Role = "RESIDENT" | "VOLUNTEER" | "STAFF";

export interface ViewerData {
  viewer: {
    role: Role;
    resident: { id: string; displayName: string; languages: string[]; area: string } | null;
    volunteer: { id: string; displayName: string; verified: boolean; active: boolean } | null;
  };
}

export async function fetchViewer(client: GraphQLClient): Promise<ViewerData["viewer"]> {
  return (await client.request<ViewerData>(sharedOps.get("Viewer"))).viewer;
}
