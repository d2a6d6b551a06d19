"""Analytics for supervisors and operators, without identifiers (docs/analytics.md).

Rasa's events arrive from its event broker (`consumer`, `python -m api.analytics.consumer`,
RabbitMQ with endpoints.prod.yml) or, in the embedded default, from its tracker store
(`tracker_source`, read by the dashboard). `events` turns one event into an `analytics_events`
row or none; `questions` keeps a question not understood, masked; `sink` stores both.
`dashboard` counts a date range from them and the gateway's own tables, `grouping` groups the
unanswered questions by similarity, and `candidates` exports the ones an operator marked for
the next round of NLU data.
"""
