"""Web adapters: the JSON API under /api/v1, the Chinese pages, Open311 later. Thin: parse, call a service."""
