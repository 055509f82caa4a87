import { Suspense } from "react";
import { useRoute } from "./hooks/useRoute";
import { Failed } from "./components/Failed";
import { Layout } from "./components/Layout";
import { match } from "./lib/router";
import { pages } from "./pages";

export function App() {
  const { path, query } = useRoute();
  const target = path === "" ? "accounts" : path;
  for (const page of pages) {
    const params = match(page.path, target);
    if (params) {
      return (
        <Layout current={page.path}>
          {/* Keyed by the route: going to another page tries again. */}
          <Failed key={target} what="this page">
            <Suspense fallback={<p className="muted">Loading the page…</p>}>
              <page.Component params={params} query={query} />
            </Suspense>
          </Failed>
        </Layout>
      );
    }
  }
  return (
    <Layout current="">
      <h2>Not found</h2>
      <p>There is no page at “{path}”.</p>
    </Layout>
  );
}
