"""The gateway's metrics for monitoring, in Prometheus' text format (docs/operations.md).

- `instruments`: the process-wide counters and histograms, and the one-line calls the turn,
  the Rasa client, the ministry adapters, the outbox, the rate limits and the call center
  make as things happen.
- `snapshot`: what is read at scrape time instead (the agents' queue per team, the outbox's
  backlog, Rasa's admission), from the database and the running app.
- `exposition`: the scrape's body, both together.

This package depends on nothing of the gateway but its models, so every part may call it.
"""
