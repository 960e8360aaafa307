from rest_framework.permissions import IsAdminUser, IsAuthenticated


class IsStaffForChanges(IsAuthenticated):
    """Anyone logged in may read users; only staff may change or delete them."""

    def has_permission(self, request, view):
        if view.action in ("partial_update", "destroy"):
            return IsAdminUser().has_permission(request, view)
        return super().has_permission(request, view)
