// The Ponder indexer on the embedded PGlite database `npm start` runs: the suite is in helpers/indexer-suite.ts.
import { describeIndexer } from "./helpers/indexer-suite.js";

describeIndexer("embedded PGlite");
