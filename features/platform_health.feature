@integration @INT-009 @allure.label.epic:Platform
Feature: The platform reports the health of everything it depends on
  As a platform engineer
  I want one health endpoint that checks each store the platform needs
  So that a broken dependency is named at once instead of surfacing as odd failures later

  @smoke @critical
  Scenario: Every dependency is reported up, with how long it took to answer
    When I ask the platform for its health
    Then the platform reports itself healthy
    And each of these dependencies is reported up with a latency:
      | dependency |
      | postgres   |
      | redis      |
      | mongo      |
