"""The public keys other services check our tokens with: wiring for accounts/keyring.py."""

import hashlib
import json

from django.utils.cache import get_conditional_response, patch_cache_control
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import keyring, schema

# How long a verifier, or a cache between, may keep the key set without asking again. A
# new key signs as soon as it is made, and a verifier that meets its unknown `kid` asks
# again at once (PyJWKClient does); this only bounds how long a dropped key stays listed.
JWKS_MAX_AGE = 300


@schema.JWKS
class JWKSView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def get(self, request):
        key_set = {"keys": keyring.public_keys()}
        digest = hashlib.sha256(json.dumps(key_set, sort_keys=True).encode()).hexdigest()
        etag = f'"{digest[:32]}"'
        response = get_conditional_response(request, etag=etag) or Response(key_set)
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=JWKS_MAX_AGE)
        return response


@schema.UNDOCUMENTED
class WellKnownJWKSView(JWKSView):
    """The same, where JWKS clients look first (/.well-known/jwks.json); documented once."""
