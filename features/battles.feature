@integration @INT-008 @allure.label.epic:Battles
Feature: Two models battle on the same prompt, a judge decides, and a leaderboard ranks them
  As someone choosing between models
  I want models to answer the same prompt head to head, judged by a third model
  So that I can rank models by how they fare against each other

  The test gateway's judge is deterministic: an answer containing the correct answer beats one
  that does not; between two such, the more complete (longer) answer wins; equal answers draw.
  "gpt-4o-mini" answers in a sentence, "gpt-3.5-turbo" tersely. Battle documents live in MongoDB.
  The leaderboard is Elo: every model starts at 1000, K = 32, a draw counts half.

  @smoke @critical
  Scenario: A battle ends with the expected winner and loser, recorded in full in MongoDB
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the battle completes within 20 seconds
    And "gpt-4o-mini" won and "gpt-3.5-turbo" lost
    And the battle's document in MongoDB records the prompt, the judge's verdict "A" and its usage, the winner, the loser and these answers:
      | model         | answer           |
      | gpt-4o-mini   | The answer is 5. |
      | gpt-3.5-turbo | 5                |
    And the provider was called 3 times for that battle

  @normal
  Scenario: The judge's verdict does not depend on which side a contender stands
    When I start a battle on "What is 10 - 4?" between "gpt-3.5-turbo" and "gpt-4o-mini" judged by "gpt-4o-mini"
    Then the battle completes within 20 seconds
    And "gpt-4o-mini" won and "gpt-3.5-turbo" lost
    And the battle's document in MongoDB records the prompt, the judge's verdict "B" and its usage, the winner, the loser and these answers:
      | model         | answer           |
      | gpt-3.5-turbo | 6                |
      | gpt-4o-mini   | The answer is 6. |

  @critical
  Scenario: The leaderboard ranks models by the battles they fought, with their Elo ratings
    When these battles are fought on "What is 7 * 6?", judged by "gpt-4o-mini":
      | contender a   | contender b        | winner        |
      | gpt-4o-mini   | gpt-3.5-turbo      | gpt-4o-mini   |
      | gpt-3.5-turbo | gpt-3.5-turbo-twin | draw          |
      | gpt-4o-mini   | gpt-3.5-turbo-twin | gpt-4o-mini   |
    Then the leaderboard is:
      | rank | model              | rating | battles | wins | losses | draws |
      | 1    | gpt-4o-mini        | 1031.2 | 2       | 2    | 0      | 0     |
      | 2    | gpt-3.5-turbo      | 984.7  | 2       | 0    | 1      | 1     |
      | 3    | gpt-3.5-turbo-twin | 984.0  | 2       | 0    | 1      | 1     |

  @normal
  Scenario: A failing contender ends the battle failed, and no rating changes
    Given these battles are fought on "What is 2 + 3?", judged by "gpt-4o-mini":
      | contender a   | contender b   | winner      |
      | gpt-4o-mini   | gpt-3.5-turbo | gpt-4o-mini |
    And I note the leaderboard
    When I start a battle on "What is 2 + 3?" between "gpt-3.5-turbo-always-fail-z" and "gpt-4o-mini" judged by "gpt-4o-mini"
    Then the battle fails within 20 seconds
    And the battle's document in MongoDB records the provider error and no winner
    And the leaderboard is as I noted it
    And the leaderboard does not list "gpt-3.5-turbo-always-fail-z"

  @normal
  Scenario: The same idempotency key twice makes one battle
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    And I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    Then both requests answered with the same battle
    And MongoDB holds exactly 1 battle of my tenant with idempotency key "order-42"
    When another tenant starts a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    Then the other tenant's battle is a new one
    When another tenant starts a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    Then the other tenant is answered with its own battle again
    And MongoDB holds exactly 1 battle of my tenant with idempotency key "order-42"

  @normal
  Scenario: A prompt as long as the limit is fought; one character more is refused and stores nothing
    When I try to start a battle on a prompt of 4001 characters between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the answer is 422 with the error code "validation_error" and a message naming "prompt"
    And nothing new is stored for my tenant
    When I start a battle on a prompt of 4000 characters between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the battle completes within 20 seconds

  @normal
  Scenario: The same idempotency key for a different battle is refused, and the first battle stands
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-9"
    And I try to start a battle on "What is 7 * 6?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-9"
    Then the answer is 409 with the error code "idempotency_key_reused" and a message naming "order-9"
    And nothing new is stored for my tenant
    And MongoDB holds exactly 1 battle of my tenant with idempotency key "order-9"

  @normal
  Scenario: An idempotency key sent as a header works as one in the body
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with the idempotency key header "order-7"
    And I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with the idempotency key header "order-7"
    Then both requests answered with the same battle
    And MongoDB holds exactly 1 battle of my tenant with idempotency key "order-7"

  @normal
  Scenario: Another tenant sees none of my battles
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the battle completes within 20 seconds
    Given another tenant has fought a battle between "gpt-3.5-turbo-theirs" and "gpt-4o-mini-theirs"
    When another tenant looks up that battle
    Then they are told that it does not exist
    And their leaderboard lists only "gpt-4o-mini-theirs, gpt-3.5-turbo-theirs"
    And their list of battles holds only their own battle
    And MongoDB holds exactly 1 battle of theirs
