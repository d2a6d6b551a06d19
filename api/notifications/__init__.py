"""Case updates pushed to citizens (docs/notifications.md).

A verified conversation that opens or follows a case is subscribed to it (`subscriptions`).
When the case changes at its ministry (learnt by the ministry's signed callback, `callbacks`,
else by polling on a schedule, `notifier`), each subscriber gets at most one short update per
change (`texts`), held through the quiet hours unless urgent (`quiet_hours`), stored as a
message of its conversation and sent through the same outbox as replies.

This package imports the core (api/conversations) and the case registry (api/cases); neither
imports it back, except `api.cases` for `subscriptions`, which imports only the models.
"""
