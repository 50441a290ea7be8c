from harness import secrets


def test_registered_values_are_masked_everywhere():
    secrets.register("ak_supersecretvalue123")
    assert secrets.mask("key=ak_supersecretvalue123;") == "key=***;"


def test_secret_json_fields_are_masked_whatever_their_value():
    masked = secrets.mask('{"name": "t", "api_key": "never-registered", "base_url": "http://gateway"}')
    assert masked == '{"name": "t", "api_key": "***", "base_url": "http://gateway"}'


def test_secret_headers_are_masked_and_others_kept():
    headers = secrets.mask_headers({"X-API-Key": "k", "X-Admin-Token": "t", "Accept": "application/json"})
    assert headers == {"X-API-Key": "***", "X-Admin-Token": "***", "Accept": "application/json"}


def test_short_values_are_not_registered_so_common_words_survive():
    secrets.register("ok")
    assert secrets.mask("status ok") == "status ok"
