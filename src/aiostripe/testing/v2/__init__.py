"""The fake's v2 API: JSON bodies, page tokens, v2 error shapes, on the same server as v1.

`FakeV2.handle` answers every `/v2/` operation of `ir.json` from its own state (`V2State`):

* Accounts v2: create, update (nested fields merged, `null` clears), retrieve, list (page tokens,
  `applied_configurations` and `closed` filters), close; persons (create, update, retrieve,
  list, delete), account and person tokens, account links.
* Events v2 (`v2.core.event`), created by those changes (`v2.core.account.created`, ...):
  list with `types` and `object_id`, retrieve with `data`.
* Event destinations: create, update, retrieve, list, delete, enable, disable, ping; an enabled
  `webhook_endpoint` destination with `event_payload: thin` receives every event of its
  `enabled_events` as a signed thin event (loopback URLs only), like v1 endpoints.
* Billing: meter events (synchronous create), adjustments, meter event sessions (a token valid
  15 minutes) and the stream, served only on the fake's second listener (`fake.meter_events_url`,
  standing in for `meter-events.stripe.com`) and authenticated by a session token.
* Product catalog imports (create, retrieve, list).

Errors have v2's shape (`{"error": {"type", "code", "message"}}`). See docs/fake-stripe.md for
what is not modelled.
"""

from aiostripe.testing.v2.state import FakeV2, V2Request, V2State

__all__ = ["FakeV2", "V2Request", "V2State"]
