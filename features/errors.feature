@integration @INT-010 @allure.label.epic:Platform
Feature: Bad requests get a clear error in one shape, and store nothing
  As a developer integrating with the platform
  I want every refused request to say, in the same JSON shape, what was wrong
  So that I can fix my call without reading the platform's code

  Every error body is {"error": {"code", "message", "details", "request_id"}}; the request id is
  also the answer's X-Request-ID header and is in the API's log line, so a reported error can be
  found. "<my dataset>" stands for a dataset of mine, "<unknown id>" for an id that exists nowhere.

  Background:
    Given a dataset of 3 arithmetic questions

  @smoke @critical
  Scenario Outline: A bad request to change something is refused, naming the problem, and stores nothing
    When I send <method> <path> with the body <body>
    Then the answer is <status> with the error code "<code>" and a message naming "<names>"
    And nothing new is stored for my tenant

    Examples: Missing fields and wrong types
      | method | path      | body                                                                            | status | code             | names      |
      | POST   | /runs     | {"provider": "gateway", "model": "gpt-3.5-turbo"}                               | 422    | validation_error | dataset_id |
      | POST   | /runs     | {"dataset_id": 5, "provider": "gateway", "model": "gpt-3.5-turbo"}              | 422    | validation_error | dataset_id |
      | POST   | /runs     | {"dataset_id": "<my dataset>", "provider": "gateway", "model": ""}              | 422    | validation_error | model      |
      | POST   | /runs     | {"dataset_id": "<my dataset>", "provider": "gateway", "model": "gpt-3.5-turbo", "max_attempts": 0} | 422 | validation_error | max_attempts |
      | POST   | /runs     | {"dataset_id": "<my dataset>", "provider": "gateway", "model": "gpt-3.5-turbo", "max_attempts": 11} | 422 | validation_error | max_attempts |
      | POST   | /datasets | {"name": "x", "samples": "many"}                                                | 422    | validation_error | samples    |
      | POST   | /datasets | {"name": "x", "samples": [{"input": "What is 2 + 3?"}]}                          | 422    | validation_error | expected   |
      | POST   | /datasets | {not json                                                                       | 422    | validation_error | not valid JSON |
      | POST   | /battles  | {"prompt": "Hi", "contenders": ["gpt-4o-mini", "gpt-4o-mini"], "judge": "gpt-4o-mini"} | 422 | validation_error | two different |
      | POST   | /battles  | {"prompt": "Hi", "contenders": ["gpt-4o-mini"], "judge": "gpt-4o-mini"}          | 422    | validation_error | contenders |

    Examples: Unknown things and wrong methods
      | method | path                     | body                                                                         | status | code             | names       |
      | POST   | /runs                    | {"dataset_id": "<my dataset>", "provider": "nowhere", "model": "gpt-3.5-turbo"} | 404 | not_found        | provider 'nowhere' not found; registered providers: gateway, router, unreachable |
      | POST   | /runs                    | {"dataset_id": "<unknown id>", "provider": "gateway", "model": "gpt-3.5-turbo"} | 404 | not_found        | dataset     |
      | DELETE | /runs                    | -                                                                            | 405    | method_not_allowed | DELETE    |

    Examples: Text a database cannot store, numbers out of range, ambiguous JSON
      | method | path      | body                                                                                      | status | code             | names          |
      | POST   | /datasets | {"name": "x", "samples": [{"input": "What is 2 + 3?\u0000", "expected": "5"}]}             | 422    | validation_error | NUL            |
      | POST   | /datasets | {"name": "x", "samples": [{"input": "What is \ud800?", "expected": "5"}]}                  | 422    | validation_error | samples.0.input |
      | POST   | /datasets | {"name": "x", "samples": [{"input": "What is \udfff?", "expected": "5"}]}                  | 422    | validation_error | samples.0.input |
      | POST   | /datasets | {"name": "   ", "samples": [{"input": "What is 2 + 3?", "expected": "5"}]}                 | 422    | validation_error | blank          |
      | POST   | /datasets | {"name": "x", "name": "y", "samples": [{"input": "What is 2 + 3?", "expected": "5"}]}      | 400    | bad_request      | repeats the key 'name' |
      | POST   | /runs     | {"dataset_id": "<my dataset>", "provider": "gateway", "model": "gpt-3.5-turbo", "max_attempts": 99999999999999999999999} | 422 | validation_error | max_attempts |
      | POST   | /runs     | {"dataset_id": "<my dataset>", "provider": "gateway", "model": "gpt-3.5-turbo", "max_attempts": -1} | 422 | validation_error | max_attempts |

  @normal
  Scenario Outline: Asking for something that is not there is answered in the same shape
    When I send <method> <path> with the body -
    Then the answer is <status> with the error code "<code>" and a message naming "<names>"
    And the answer lists the allowed methods as "<allowed>"

    Examples: Unknown ids and routes
      | method | path                     | status | code             | names       | allowed |
      | GET    | /runs/<unknown id>       | 404    | not_found        | run         | -       |
      | GET    | /runs/not-a-uuid         | 422    | validation_error | run_id      | -       |
      | GET    | /documents/<unknown id>  | 404    | not_found        | document    | -       |
      | GET    | /battles/<unknown id>    | 404    | not_found        | battle      | -       |
      | GET    | /nowhere                 | 404    | not_found        | /nowhere    | -       |
      | GET    | /datasets/upload         | 405    | method_not_allowed | POST      | POST    |
      | GET    | /runs?status=lost        | 422    | validation_error | status      | -       |
      | GET    | /runs?cursor=not-a-cursor | 422   | validation_error | cursor      | -       |

  @normal
  Scenario Outline: The API's published document lists every answer an operation can give
    When I read the API's published document
    Then it documents for <operation> exactly the answers "<answers>", every refusal in the error shape

    Examples: One operation of each kind: tenant reads and writes, admin reads and writes
      | operation                         | answers                            |
      | GET /usage                        | 200, 401, 422, 503                 |
      | POST /datasets                    | 201, 400, 401, 413, 422, 503       |
      | POST /runs                        | 202, 400, 401, 404, 409, 413, 422, 503 |
      | DELETE /admin/tenants/{tenant_id} | 204, 401, 403, 404, 422, 503       |
      | PUT /admin/providers/{name}       | 200, 400, 401, 403, 413, 422, 503  |
      | GET /runs/{run_id}/events         | 200, 401, 404, 409, 422, 503       |
      | GET /runs/{run_id}/results        | 200, 401, 404, 422, 503            |

  @normal
  Scenario Outline: A JSON body nested deeper than the limit is refused before any route reads it
    When I send POST /datasets with a JSON list nested <depth> levels deep
    Then the answer is <status> with the error code "<code>" and a message naming "<names>"
    And nothing new is stored for my tenant

    Examples: The limit is 32 levels: met exactly, passed by one, and far past (deeper than Python's parser goes)
      | depth  | status | code             | names                                     |
      | 32     | 422    | validation_error | body: Input should be a valid dictionary  |
      | 33     | 400    | bad_request      | nested too deeply; the limit is 32 levels |
      | 100000 | 400    | bad_request      | nested too deeply; the limit is 32 levels |

  @normal
  Scenario: An oversized JSON body is refused before it is read
    When I send POST /datasets with a JSON body of 2 MB
    Then the answer is 413 with the error code "payload_too_large" and a message naming "limit"
    And nothing new is stored for my tenant
