"""aiostripe's code generator: Stripe's OpenAPI spec -> IR -> jinja2 templates -> `generated/`."""
