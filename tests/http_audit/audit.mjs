// Runs every graphql-http server audit (GraphQL over HTTP conformance) against the URL given as
// the first argument and prints the results as one JSON array on stdout.
// Used by tests/test_http_audit.py, which installs this directory into var/http_audit.
import { serverAudits } from "graphql-http";

const url = process.argv[2];
if (!url) {
  console.error("usage: node audit.mjs http://host:port/graphql");
  process.exit(2);
}
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === "ok" ? null : result.reason,
  });
}
console.log(JSON.stringify(results));
