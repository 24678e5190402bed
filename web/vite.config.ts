// One build, four pages: each HTML file is an entry; hashed assets go to dist/assets/ and the
// Python app (service/web.py) serves them. Nothing is loaded from another origin at run time.
import { resolve } from "node:path";
import { defineConfig } from "vite";

const page = (name: string) => resolve(import.meta.dirname, name);

export default defineConfig({
  // JSX is compiled by Vite's own transformer with tsconfig's jsxImportSource (preact):
  // no framework plugin is needed for a production build.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    // Every browser we support has <link rel=modulepreload>; the polyfill would be dead code.
    modulePreload: { polyfill: false },
    // Inline data: URLs would need img-src/font-src data: in the Content-Security-Policy.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000, // GraphiQL's own chunk is large; the pages are budgeted by a test
    rollupOptions: {
      onwarn(warning, warn) {
        // React libraries inside GraphiQL mark themselves "use client" (a server-components hint
        // that means nothing in a browser bundle).
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
      input: {
        resident: page("index.html"),
        volunteer: page("volunteer.html"),
        staff: page("staff.html"),
        graphiql: page("graphiql.html"),
      },
    },
  },
  server: {
    // `npm run dev` beside `python main.py serve`: the API stays on the Python server.
    proxy: { "/graphql": { target: "http://127.0.0.1:8000", ws: true } },
  },
});
