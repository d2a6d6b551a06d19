"""Identity verification before personal data (docs/security.md#identity-verification).

- `sessions`: THE interface: `bind()` a conversation to the NIK its citizen proved, for
  `AW_VERIFIED_SESSION_MINUTES`; `verified_nik()` reads it back (None when absent or expired).
- `otp`: a one-time code sent by SMS to the number registered with Dukcapil.
- `possession`: the channel's own proof of a phone number (the WhatsApp sender's number, a
  Telegram contact shared by its own user).
- `guard`: what the service API's personal-data routes require.
- `secrets`: keyed hashes, phone numbers and masking.
"""
