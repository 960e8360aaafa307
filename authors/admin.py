from django.contrib import admin

from accounts.admin import UserAdmin

from .models import Author


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "book", "country", "booker_prize", "owner", "created_at"]
    list_filter = [
        "booker_prize",
        "country",
        ("owner", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "book", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    date_hierarchy = "created_at"


class AuthorInline(admin.TabularInline):
    model = Author
    fields = ["name", "book", "country", "booker_prize", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0
    show_change_link = True


# accounts never imports authors, so the authors app adds its inline to the user page.
UserAdmin.inlines = [*UserAdmin.inlines, AuthorInline]
