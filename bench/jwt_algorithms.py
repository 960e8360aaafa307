"""What each signing algorithm costs per token, in process: checking an access token as
every authenticated request does (accounts/jwt.py's backend: header, key by kid,
signature, claims), and signing one as a login or refresh does twice.

    python bench/jwt_algorithms.py        # `make bench` runs it too and prints the table

Keys as `manage.py jwt_keys generate` makes them (RSA: 3072 bits). The ring is held in
memory, so no query is counted: only the cryptography and PyJWT's work.
"""

import os
import sys
import timeit
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
ALGORITHMS = ("HS256", "EdDSA", "ES256", "RS256")


def jwt_algorithm_costs(repeat: int = 5, number: int = 2000) -> dict:
    """Per algorithm: microseconds to verify and to sign one access token (the best of
    `repeat` runs of `number`), and the token's length in bytes."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library.settings")
    import django

    django.setup()
    import jwt as pyjwt
    from django.utils import timezone

    from accounts import jwt, keyring

    now = timezone.now()
    payload = {
        "token_type": "access",
        "exp": int((now + timedelta(minutes=15)).timestamp()),
        "iat": int(now.timestamp()),
        "jti": "0123456789abcdef0123456789abcdef",
        "user_id": "42",
        "sid": "6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b",
    }
    costs = {}
    for algorithm in ALGORITHMS:
        signing, verifying = keyring.parse(algorithm, keyring.generate(algorithm))
        key = keyring.Key(keyring.key_id(algorithm, verifying), algorithm, signing, verifying, now, None)
        keyring._ring = keyring.Ring(keys=(key,), loaded_at=timezone.now())  # in memory: no query
        token = pyjwt.encode(payload, signing, algorithm=algorithm, headers={"kid": key.kid})
        assert jwt.BACKEND.decode(token)["user_id"] == "42"

        def best(statement) -> float:
            return min(timeit.repeat(statement, number=number, repeat=repeat)) / number * 1e6

        costs[algorithm] = {
            "verify_us": round(best(lambda token=token: jwt.BACKEND.decode(token)), 1),
            "sign_us": round(
                best(
                    lambda key=key: pyjwt.encode(
                        payload, key.signing, algorithm=key.algorithm, headers={"kid": key.kid}
                    )
                ),
                1,
            ),
            "token_bytes": len(token),
        }
    keyring.forget()
    return costs


def table(costs: dict) -> str:
    lines = [f"{'algorithm':10} {'verify us':>10} {'sign us':>10} {'token bytes':>12}"]
    for algorithm, cost in costs.items():
        lines.append(
            f"{algorithm:10} {cost['verify_us']:10.1f} {cost['sign_us']:10.1f} {cost['token_bytes']:12d}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(jwt_algorithm_costs()))
