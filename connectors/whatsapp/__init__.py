"""WhatsApp Cloud API: webhook payloads, signatures, the Graph API client, rendering."""
