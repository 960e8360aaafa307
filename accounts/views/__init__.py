"""accounts' API views, one module per concern: auth (logging in and out, sessions),
account (your own account, users for staff) and recovery (password reset and email
verification by mail). Their OpenAPI prose is in accounts/schema.py. pages holds the two
HTML pages a mailed link opens when no front-end does."""
