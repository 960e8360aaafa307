"""What we record about the client behind a request: its user agent and address, and
the name a login session takes from its user agent until its owner renames it."""

import ipaddress
import re
from typing import TypedDict

import ua_parser
from rest_framework.throttling import BaseThrottle

from .models import SESSION_NAME_MAX_LENGTH


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


# The name of a session whose client sent no user agent.
UNKNOWN_CLIENT = "Unknown client"
# uap-core's names of systems, where people say them otherwise.
SYSTEM_NAMES = {"Mac OS X": "macOS"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# A user agent ua-parser does not know ("pytest", "python-httpx/0.27"): its first word.
FIRST_PRODUCT = re.compile(r"[^\s/;()]+")


def client_name(user_agent: str) -> str:
    """A login session's name until it is renamed: the browser (or tool) and the system
    its user agent names ("Firefox on Linux", "Chrome Mobile on Android", "curl"), as
    uap-core's rules tell them; else the user agent's first word; else UNKNOWN_CLIENT.
    Always a valid name: short enough, and without control characters (a header may
    hold a tab)."""
    user_agent = CONTROL_CHARACTERS.sub(" ", user_agent or "")[:255]  # as a session stores it
    found = ua_parser.parser(user_agent, ua_parser.Domain.USER_AGENT | ua_parser.Domain.OS)
    browser = found.user_agent.family if found.user_agent else None
    if browser is None:
        first = FIRST_PRODUCT.search(user_agent)
        browser = first.group() if first else None
    system = SYSTEM_NAMES.get(found.os.family, found.os.family) if found.os else None
    if browser is None:
        return UNKNOWN_CLIENT
    name = f"{browser} on {system}" if system else browser
    return name[:SESSION_NAME_MAX_LENGTH]
