"""The gateway's core: conversations, whatever the channel.

- `model`: the message model every channel speaks (replies out, events in);
- `store`: threads, conversations and messages in the database;
- `turn`: one citizen's turn through the bot, with the `Handoffs` port the call center fills;
- `bot_conversations`: the conversations known to be with the bot (a read a turn can skip);
- `delivery`: the `Outbox` and `Outbound` ports the channels fill, and recording deliveries;
- `outbox`, `outbox_worker`: replies to Telegram and WhatsApp recorded with their message and
  retried by the delivery worker until sent or given up.

It imports neither the channels (connectors/) nor the call center (api/callcenter/): both
depend on it (docs/architecture.md).
"""
