@integration @allure.label.epic:Battles @allure.label.feature:Model_arena
Feature: Two models battle on the same prompt, a judge decides, and a leaderboard ranks them
  As someone choosing between models
  I want models to answer the same prompt head to head, judged by a third model
  So that I can rank models by how they fare against each other

  The test gateway's judge is deterministic: an answer containing the correct answer beats one
  that does not; between two such, the more complete (longer) answer wins; equal answers draw.
  "gpt-4o-mini" answers in a sentence, "gpt-3.5-turbo" tersely. Battle documents live in MongoDB.

  @critical
  Scenario: A battle ends with the expected winner and loser, recorded in full in MongoDB
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the battle completes within 20 seconds
    And "gpt-4o-mini" won and "gpt-3.5-turbo" lost
    And the battle's document in MongoDB records the prompt, both answers, the verdict, the winner and the loser

  @critical
  Scenario Outline: The leaderboard ranks models by the battles they fought
    When these battles are fought on "What is 7 * 6?", judged by "gpt-4o-mini":
      | contender a | contender b | winner   |
      | <strong>    | <weak>      | <strong> |
      | <weak>      | <twin>      | draw     |
      | <strong>    | <twin>      | <strong> |
    Then the leaderboard ranks them in the order "<strong>, <weak>, <twin>"
    And their wins, losses and draws on the leaderboard are those of these battles

    Examples: Two independent series
      | strong         | weak             | twin                  |
      | gpt-4o-mini-s1 | gpt-3.5-turbo-s1 | gpt-3.5-turbo-twin-s1 |
      | gpt-4o-mini-s2 | gpt-3.5-turbo-s2 | gpt-3.5-turbo-twin-s2 |

  @normal
  Scenario: A failing contender ends the battle failed, and no rating changes
    Given I note the leaderboard
    When I start a battle on "What is 2 + 3?" between "gpt-3.5-turbo-always-fail-z" and "gpt-4o-mini" judged by "gpt-4o-mini"
    Then the battle fails within 20 seconds
    And the battle's document in MongoDB records the provider error and no winner
    And the leaderboard is as I noted it

  @normal
  Scenario: The same idempotency key twice makes one battle
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    And I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini" with idempotency key "order-42"
    Then both requests answered with the same battle
    And MongoDB holds exactly one battle of my tenant with idempotency key "order-42"

  @normal
  Scenario: Another tenant sees none of my battles
    When I start a battle on "What is 2 + 3?" between "gpt-4o-mini" and "gpt-3.5-turbo" judged by "gpt-4o-mini"
    Then the battle completes within 20 seconds
    When another tenant looks up that battle
    Then they are told that it does not exist
    And their leaderboard is empty
    And MongoDB holds no battle of theirs
