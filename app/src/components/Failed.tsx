// What a visitor sees instead of a part of the app that failed to show: its code could not be
// downloaded (the site was redeployed since the page was opened, or the connection dropped), or it
// threw while rendering. The rest of the page keeps working; a reload fetches the code again.
import type { ReactNode } from "react";
import { ErrorBoundary } from "react-error-boundary";

/** Shows `children`, or a sentence naming `what` (e.g. "this page") and why, if they fail to load or render. */
export function Failed(props: { what: string; children: ReactNode }) {
  return (
    <ErrorBoundary
      fallbackRender={({ error }) => (
        <div className="banner danger" role="alert" data-testid="failed">
          <strong>{capitalised(props.what)} could not be shown</strong> ({reasonOf(error)}).{" "}
          <button onClick={() => window.location.reload()}>Reload the page</button>
        </div>
      )}
    >
      {props.children}
    </ErrorBoundary>
  );
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// How Chromium, Firefox and Safari say that a dynamic import's file could not be fetched.
const NOT_DOWNLOADED = /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed/i;

/** Why, in a sentence: its code could not be downloaded, or the first line of the error's message. */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (NOT_DOWNLOADED.test(message))
    return `its code could not be downloaded from ${window.location.host}: the site may have been updated since this page was opened, or the connection dropped`;
  return message.split("\n")[0]!.replace(/\.$/, "");
}
