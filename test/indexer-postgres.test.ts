// The Ponder indexer on a PostgreSQL server (DATABASE_URL), started for the suite on a free port:
// the suite is in helpers/indexer-suite.ts.
import { describeIndexer } from "./helpers/indexer-suite.js";

describeIndexer("PostgreSQL");
