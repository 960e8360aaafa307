"""What we record about the client behind a request: its user agent and address."""

import ipaddress
from typing import TypedDict

from rest_framework.throttling import BaseThrottle


class ClientDetails(TypedDict):
    user_agent: str
    ip: str | None


def client_details(request) -> ClientDetails:
    """The user agent and the address as the throttles see it (settings.NUM_PROXIES)."""
    address = BaseThrottle().get_ident(request)
    try:
        ip = str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        ip = None
    return {"user_agent": request.headers.get("user-agent", ""), "ip": ip}
