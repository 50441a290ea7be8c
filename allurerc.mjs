// Allure 3 configuration of the acceptance report (scripts/report.sh; the CLI finds it in the
// working directory). Why each setting:
//  - one self-contained index.html (singleFile): a multi-file report opened from disk never
//    loads (it fetches its data, which a file:// page may not);
//  - history kept in one file beside the report, so trends, flakiness and durations build up
//    across local runs (CI restores and saves it per branch);
//  - navigation epic -> feature -> story, from the features' tags and titles;
//  - categories that say whose problem a red result is.
const history = process.env.ARENA_ALLURE_HISTORY ?? "reports/history/history.jsonl";

// A plain object (defineConfig only types it; the CLI lives in .tools/, out of this file's reach).
export default {
  name: "Arena acceptance",
  output: process.env.ARENA_ALLURE_OUTPUT ?? "reports/allure-report",
  historyPath: history,
  historyLimit: 50,
  plugins: {
    awesome: {
      options: {
        reportName: "Arena acceptance",
        singleFile: process.env.ARENA_ALLURE_SINGLE_FILE !== "false",
        groupBy: ["epic", "feature", "story"],
        reportLanguage: "en",
      },
    },
  },
  // First match wins: infrastructure before product before test code.
  categories: [
    {
      name: "Stack did not start",
      matchers: [{ statuses: ["failed", "broken"], message: /stack did not start|did not become healthy|StackError|did not start:/ }],
    },
    {
      name: "Timed out waiting",
      matchers: [{ statuses: ["failed", "broken"], message: /did not reach|did not end within|within [0-9.]+ ?s|timed out|Timeout/i }],
    },
    { name: "Product defect", matchers: [{ statuses: ["failed"] }] },
    { name: "Test defect", matchers: [{ statuses: ["broken"] }] },
  ],
};
