"""Analytics from Rasa's event broker (RabbitMQ, endpoints.prod.yml), without identifiers.

`events` turns one broker message into one row or none; `consumer` (`python -m
api.analytics.consumer`) reads the queue and stores the rows in the gateway database's
`analytics_events`. Nothing here is imported by the gateway's app: the consumer is its own process.
"""
