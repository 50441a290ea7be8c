@integration @INT-011 @allure.label.epic:Platform
Feature: Nobody gets in without a key, and no tenant sees another's data
  As a tenant of a shared platform
  I want my runs, datasets, documents and battles invisible to everyone else
  So that sharing the platform never means sharing my data

  @smoke @critical
  Scenario Outline: A request without a valid API key is refused
    When I call GET <path> <credentials>
    Then the answer is 401 with the error code "unauthorized" and a message naming "<names>"

    Examples: Missing and wrong keys
      | path       | credentials         | names     |
      | /runs/<id> | without an API key  | X-API-Key |
      | /usage     | without an API key  | X-API-Key |
      | /usage     | with a made-up key  | not valid |
      | /leaderboard | with a made-up key | not valid |

  @critical
  Scenario Outline: Another tenant's things do not exist for me, not even as a hint
    Given another tenant owns a <thing>
    When I ask for that <thing>
    Then I am told that the <thing> does not exist, in the same words as for an id that exists nowhere
    And the other tenant still has its <thing>

    Examples: Everything a tenant owns
      | thing    |
      | run      |
      | dataset  |
      | document |
      | battle   |

  @critical
  Scenario Outline: Another tenant's things never appear in my lists
    Given a dataset of 1 arithmetic question
    And another tenant owns a <thing>
    When I start a run of that dataset on model "gpt-3.5-turbo"
    Then my list of <things> holds mine and none of theirs

    Examples: What a tenant can list
      | thing   | things   |
      | run     | runs     |
      | dataset | datasets |

  @critical
  Scenario Outline: Administration refuses tenant keys
    When I call the admin endpoint POST /admin/tenants <credentials>
    Then the answer is <status> with the error code "<code>" and a message naming "<names>"
    And no tenant was created

    Examples: Tenant credentials at the admin door
      | credentials                          | status | code         | names         |
      | with my API key                      | 401    | unauthorized | X-Admin-Token |
      | with my API key as the admin token   | 403    | forbidden    | admin token   |

  @critical
  Scenario: A deleted tenant leaves nothing behind, and nobody else loses anything
    Given I own a run, a dataset, a document and a battle
    And another tenant owns a run, a dataset, a document and a battle
    When the other tenant is deleted
    Then the other tenant's key is refused
    And nothing of the other tenant remains in PostgreSQL, MongoDB or the upload store
    And everything of mine is still there
