"""Schemathesis hooks for the factory: a 5xx is a failure unless it is chaos doing its job."""

import schemathesis

CHAOS_5XX = {
    (500, "chaos monkey"),
    (503, "Unable to satisfy pizza order. The oven is full."),
}


@schemathesis.check
def no_unexpected_server_error(ctx, response, case):
    if response.status_code < 500:
        return None
    try:
        message = response.json().get("message")
    except Exception:  # not JSON at all is a failure too
        message = None
    if (response.status_code, message) in CHAOS_5XX:
        return None
    raise AssertionError(f"unexpected {response.status_code} from {case.method} {case.path}: {response.text[:300]}")
