import { Operations } from "../shared/graphql";
import source from "./operations.graphql?raw";

/** The staff console's GraphQL operations (operations.graphql), by name. */
export const ops = new Operations(source);
