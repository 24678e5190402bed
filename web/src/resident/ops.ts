import { Operations } from "../shared/graphql";
import source from "./operations.graphql?raw";

/** The resident page's GraphQL operations (operations.graphql), by name. */
export const ops = new Operations(source);
