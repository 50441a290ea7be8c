"""The deterministic OpenAI-compatible test provider of the Arena stack (compose service `gateway`)."""
