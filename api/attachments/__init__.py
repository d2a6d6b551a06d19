"""Files and photos in conversations, both ways (docs/channels.md#files-and-photos).

- `kinds`: what a file is, read from its first bytes (never its name or declared type).
- `names`: the file name a person sees, sanitised.
- `limits`: the size limit of each channel.
- `storage`: where the bytes are kept (`Storage`; `LocalStorage` under var/ by default).
- `files`: checking, keeping and finding a conversation's attachments.

A file is served only to the conversation's citizen (web session) and to the agents who may
see its hand-off (console auth): api/routes/attachments.py.
"""
