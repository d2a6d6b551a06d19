"""Ministry adapters: one module per ministry, each an HTTP client of that ministry's API.

See `base.MinistryAdapter` for how to write one and `registry.Ministries` for how they are
created; docs/gateway.md describes the whole layer.
"""
