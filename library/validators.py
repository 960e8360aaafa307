"""Validators every app's models share."""

from django.core.validators import RegexValidator

# Text that is printed in lists, CSV files, terminals and mails: no control characters
# in it. Said as what a value must match, whole (\A, \Z), so that the OpenAPI schema's
# `pattern` says the same (drf-spectacular ignores inverse_match).
no_control_characters = RegexValidator(
    r"\A[^\x00-\x1f\x7f]*\Z", "Control characters are not allowed.", code="control_characters"
)
