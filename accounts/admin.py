from contextlib import contextmanager

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef

from . import events, services, sessions, tasks
from .client import client_details
from .models import LoginSession, OutgoingMail, SecurityEvent, TOTPDevice, User


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
        "mfa_enabled",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name"]
    inlines = [LiveSessionInline]
    actions = ["revoke_all_tokens", "deactivate", "turn_off_second_factor"]
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

    # Whatever a staff member changes here (flags, a password, a deletion) the security
    # log records through the signals (accounts/signals.py): told who did it, and from where.
    @contextmanager
    def acting(self, request):
        with events.circumstances(actor=request.user, **client_details(request)):
            yield

    def changeform_view(self, request, *args, **kwargs):
        with self.acting(request):
            return super().changeform_view(request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):  # the actions, bulk deletion
        with self.acting(request):
            return super().changelist_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        with self.acting(request):
            return super().delete_view(request, *args, **kwargs)

    def user_change_password(self, request, *args, **kwargs):
        with self.acting(request):
            return super().user_change_password(request, *args, **kwargs)

    @admin.display(boolean=True, description="second factor")
    def mfa_enabled(self, user):
        return user.mfa_enabled

    def get_queryset(self, request):
        # The list's "second factor" column in the same query (no secret is read).
        on = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed_at__isnull=False)
        return super().get_queryset(request).annotate(mfa_enabled=Exists(on))

    @admin.action(description="Turn off the second factor of the selected users (and revoke their tokens)")
    def turn_off_second_factor(self, request, queryset):
        users = [user for user in queryset if services.may_manage(request.user, user)]
        turned_off = sum(services.turn_off_totp_for(user=user, actor=request.user) for user in users)
        self.message_user(request, f"Turned off the second factor of {turned_off} users.")
        if len(users) < queryset.count():
            self.message_user(request, "Skipped any account you may not change.", level=messages.WARNING)

    @admin.action(description="Revoke all tokens of the selected users")
    def revoke_all_tokens(self, request, queryset):
        client = client_details(request)
        ended = sum(sessions.log_out_everywhere(user=user, actor=request.user, **client) for user in queryset)
        self.message_user(request, f"Ended {ended} login sessions of {queryset.count()} users.")

    @admin.action(description="Deactivate the selected users (and revoke their tokens)")
    def deactivate(self, request, queryset):
        others = [
            user for user in queryset.exclude(pk=request.user.pk) if services.may_manage(request.user, user)
        ]
        for user in others:
            services.set_user_flags(user=user, actor=request.user, is_active=False, **client_details(request))
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


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Everyone's security log, read-only: events are written by accounts/events.record
    only, and removed by age only (manage.py prune_events)."""

    list_display = ["created_at", "type", "user", "actor", "identifier", "ip", "user_agent"]
    list_filter = ["type", ("user", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["user", "actor"]
    search_fields = ["user__username", "identifier", "ip"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # the log grows without bound; the paginator counts once

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in SecurityEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
