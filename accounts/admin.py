from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import services, sessions, tasks
from .models import LoginSession, OutgoingMail, User


class LiveSessionInline(admin.TabularInline):
    model = LoginSession
    verbose_name = "live login session"
    verbose_name_plural = "live login sessions"
    fields = ["name", "created_at", "last_used_at", "expires_at", "user_agent", "ip"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=LoginSession.objects.live().values("pk"))

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name"]
    inlines = [LiveSessionInline]
    actions = ["revoke_all_tokens", "deactivate"]
    readonly_fields = ["email_verified_at", "pending_email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Email verification", {"fields": ["email_verified_at", "pending_email"]}),
    ]

    # The API's rule (services.may_manage): staff change accounts that are not staff;
    # only superusers change staff and superusers, or who is staff.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or services.may_manage(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        privileges = (
            [] if request.user.is_superuser else ["is_staff", "is_superuser", "groups", "user_permissions"]
        )
        return [*super().get_readonly_fields(request, obj), *privileges]

    @admin.action(description="Revoke all tokens of the selected users")
    def revoke_all_tokens(self, request, queryset):
        ended = sum(sessions.end_all_sessions(user) for user in queryset)
        self.message_user(request, f"Ended {ended} login sessions of {queryset.count()} users.")

    @admin.action(description="Deactivate the selected users (and revoke their tokens)")
    def deactivate(self, request, queryset):
        others = [
            user for user in queryset.exclude(pk=request.user.pk) if services.may_manage(request.user, user)
        ]
        for user in others:
            services.set_user_flags(user=user, actor=request.user, is_active=False)
        self.message_user(request, f"Deactivated {len(others)} users.")
        if len(others) < queryset.count():
            self.message_user(
                request, "Skipped yourself and any account you may not change.", level=messages.WARNING
            )


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """Every mail the worker composed and how its delivery went; staff retry the failed
    ones (accounts/tasks.py). The queue itself is under "Task results"."""

    list_display = ["created_at", "kind", "to", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    actions = ["retry_delivery"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in OutgoingMail._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry delivery of the selected failed mails", permissions=["change"])
    def retry_delivery(self, request, queryset):
        retried = tasks.retry_failed(queryset)
        self.message_user(request, f"Queued {retried} failed mails for delivery.")
        if retried < queryset.count():
            self.message_user(request, "Skipped the mails that had not failed.", level=messages.WARNING)
