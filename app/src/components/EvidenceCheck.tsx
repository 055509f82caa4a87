// Does this file match an entry's evidence? The file is hashed in the browser (never uploaded) as
// the CLI and the Contribute form hash one, and compared with the digest the entry recorded.
import { useState } from "react";
import { evidenceOfFile } from "../lib/evidence";

export function EvidenceCheck({ evidence }: { evidence: string }) {
  const [result, setResult] = useState<{ name: string; digest: string } | undefined>(undefined);
  const matches = result !== undefined && result.digest.toLowerCase() === evidence.toLowerCase();
  return (
    <span className="evidence-check">
      <label>
        Check a file:{" "}
        <input
          type="file"
          aria-label="File to check against the evidence"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void evidenceOfFile(file).then((digest) => setResult({ name: file.name, digest }));
          }}
        />
      </label>
      {result ? (
        <span data-testid="evidence-check" className={matches ? "ok" : "error"}>
          {matches
            ? ` ✔ ${result.name} is the evidence this entry recorded.`
            : ` ✖ ${result.name} is not this entry's evidence (its digest is ${result.digest}; the entry recorded ${evidence}, or a CID's digest).`}
        </span>
      ) : null}
    </span>
  );
}
