@integration
Feature: Features written from the catalogue of 2026-11-25, with its words
  The old phrases that steps/ offered on main and later replaced, as a person writing features from
  the catalogue then would have used them. tests/harness/test_vocabulary.py dry-runs this file:
  every step must match exactly one definition (a deprecated one says what to write instead).

  Scenario: Another tenant cannot see my run's results
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then the run completes within 20 seconds
    When another tenant looks up that run
    Then they are told that it does not exist
    And they do not see its results

  Scenario: A run's events, followed and resumed
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo-slow-a"
    And I follow the run's events until it ends
    Then the events are numbered 1, 2, 3 ... without a gap
    When I reconnect with the id of the last event I received
    Then the second connection received no event

  Scenario: The platform's dependencies
    When I ask the platform for its health
    Then the platform reports itself healthy
    And each of these dependencies is reported up with a latency
      | dependency |
      | postgres   |
      | redis      |
      | mongo      |

  Scenario: Two tenants' usage
    Given a dataset of 3 arithmetic questions
    When I start a run of that dataset on model "gpt-3.5-turbo"
    And another tenant runs the same questions on model "gpt-4o-mini"
    Then the run completes within 30 seconds
    And the other tenant's usage counts exactly its one run of 3 questions on "gpt-4o-mini"

  Scenario: A document answered from its text
    When I upload the document "handbook.pdf"
    Then the document is ready within 20 seconds with 2 pages
    When I ask the document "How many vacation days do employees get?"
    Then the provider was asked with the document's text and the question

  Scenario: An upload reused, and a refused one that leaves nothing behind
    When I upload the dataset file "arithmetic.jsonl"
    Then the dataset is ready within 20 seconds with 3 questions and the file's checksum
    When I upload the dataset file "arithmetic.jsonl" again
    Then the second upload returns the first dataset, marked as reused
    And my tenant has exactly one dataset with that checksum
    When I try to upload the file "notes.txt"
    Then it is refused with status 415 and a message naming ".txt"
    And the upload store holds no file for my tenant beyond those of accepted uploads

  Scenario: A battle, its document, and the other tenant
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    Then the battle completes within 20 seconds
    And the battle's document in MongoDB records the prompt, both answers, the verdict, the winner and the loser
    And the battle's document in MongoDB records the prompt, the judge's verdict "A", the winner, the loser and these answers:
      | model         | answer           |
      | gpt-4o-mini   | The answer is 5. |
      | gpt-3.5-turbo | 5                |
    And MongoDB holds exactly one battle of my tenant with idempotency key "order-42"
    When another tenant looks up that battle
    Then their leaderboard is empty
    And MongoDB holds no battle of theirs

  Scenario: A series of battles on the leaderboard
    When these battles are fought on "What is 2 + 3?", judged by "gpt-4o-mini":
      | contender a   | contender b   | winner      |
      | gpt-4o-mini   | gpt-3.5-turbo | gpt-4o-mini |
    Then the leaderboard ranks them in the order "gpt-4o-mini, gpt-3.5-turbo"
    And their wins, losses and draws on the leaderboard are those of these battles

  Scenario: Runs spread over the workers
    Given the worker pool has 2 workers
    And a dataset of 3 arithmetic questions
    When I start 4 runs of that dataset on model "gpt-3.5-turbo"
    Then all those runs complete within 60 seconds
    And more than one worker took part
