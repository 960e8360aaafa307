"""accounts' API views, one module per concern: auth (logging in and out, sessions) and
account (your own account, users for staff). Their OpenAPI prose is in accounts/schema.py."""
